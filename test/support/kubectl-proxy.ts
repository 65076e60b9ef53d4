import type { KubectlSandbox } from "../../tools/stand-in/kubectl.ts";

/**
 * Runs `kubectl proxy --port=0 [flags]` with `kubeconfig`, lists team-a's pods through it (as a
 * local tool would, on plain HTTP), and stops it: the HTTP status, the pods' names, and what
 * kubectl said on stderr (its warnings).
 */
export async function podsThroughKubectlProxy(
  kubectl: KubectlSandbox,
  kubeconfig: string,
  flags: string[] = [],
): Promise<{ status: number; pods: string[]; stderr: string }> {
  const proxy = kubectl.start(kubeconfig, ["proxy", "--port=0", ...flags]);
  try {
    const started = await proxy.waitFor(/Starting to serve on 127\.0\.0\.1:\d+/, 10_000);
    const port = /127\.0\.0\.1:(\d+)/.exec(started)![1];
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/team-a/pods`);
    const list = res.ok ? ((await res.json()) as { items: { metadata: { name: string } }[] }) : { items: [] };
    return { status: res.status, pods: list.items.map((pod) => pod.metadata.name), stderr: proxy.errors() };
  } finally {
    proxy.stop();
  }
}
