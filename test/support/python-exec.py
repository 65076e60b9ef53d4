"""Runs one command in a pod with the official Python client's exec (kubernetes.stream) and
prints what the client returned, as JSON: the client as its users call it, for the stand-in's
compatibility tests. Usage: python3 python-exec.py KUBECONFIG NAMESPACE POD COMMAND..."""
import json
import sys

from kubernetes import client, config
from kubernetes.stream import stream

kubeconfig, namespace, pod, *command = sys.argv[1:]
config.load_kube_config(config_file=kubeconfig)
api = client.CoreV1Api()
output = stream(
    api.connect_get_namespaced_pod_exec,
    pod,
    namespace,
    command=command,
    stderr=True,
    stdin=False,
    stdout=True,
    tty=False,
    _request_timeout=20,
)
print(json.dumps({"output": output}))
