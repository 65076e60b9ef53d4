"""The official Python client (Debian's python3-kubernetes) as its users call it: list, watch,
logs, exec and create in one namespace, each reported as {"ok": bool, "detail": str}, printed as
one JSON object. For the gateway's client compatibility test.
Usage: /usr/bin/python3 python-client.py KUBECONFIG NAMESPACE POD NEW_CONFIGMAP_NAME"""
import json
import sys

from kubernetes import client, config, watch
from kubernetes.stream import stream

kubeconfig, namespace, pod, new_name = sys.argv[1:]
config.load_kube_config(config_file=kubeconfig)
api = client.CoreV1Api()


def list_pods():
    names = [p.metadata.name for p in api.list_namespaced_pod(namespace, _request_timeout=10).items]
    return pod in names, ", ".join(names)


def watch_pods():
    # The first event of a watch without a resourceVersion is each existing pod, ADDED.
    for event in watch.Watch().stream(api.list_namespaced_pod, namespace, timeout_seconds=5):
        return event["type"] == "ADDED", f'{event["type"]} {event["object"].metadata.name}'
    return False, "no event"


def logs():
    text = api.read_namespaced_pod_log(pod, namespace, tail_lines=5, _request_timeout=10)
    return len(text) > 0, text[:80]


def exec_echo():
    output = stream(
        api.connect_get_namespaced_pod_exec,
        pod,
        namespace,
        command=["echo", "py-exec"],
        stderr=True,
        stdin=False,
        stdout=True,
        tty=False,
        _request_timeout=20,
    )
    return output == "py-exec\n", repr(output)


def create():
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=new_name), data={"by": "python"})
    made = api.create_namespaced_config_map(namespace, body, _request_timeout=10)
    return made.metadata.name == new_name, made.metadata.name


results = {}
for name, row in [("list", list_pods), ("watch", watch_pods), ("logs", logs), ("exec", exec_echo), ("create", create)]:
    try:
        ok, detail = row()
    except Exception as err:  # a row that fails says why, and the others still run
        ok, detail = False, f"{type(err).__name__}: {err}"[:300]
    results[name] = {"ok": bool(ok), "detail": detail}
print(json.dumps(results))
