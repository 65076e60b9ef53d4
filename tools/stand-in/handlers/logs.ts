/**
 * `pods/log`: the pod's lines as text/plain; `follow=true` keeps the body open and streams
 * new lines until the pod is deleted or the client leaves; `tailLines`, `timestamps` and
 * `container` as the real endpoint takes them (a multi-container pod needs `container`).
 */

import { containersOf } from "../behaviours/pods.ts";
import type { ResourceContext } from "../context.ts";
import type { KubeObject } from "../objects.ts";
import { type LogLine, withTimestamp } from "../pod-logs.ts";
import { badRequest } from "../status.ts";

/** The container a pod subresource request means (shared with exec). */
export function containerFor(pod: KubeObject, requested: string | null): string {
  const names = containersOf(pod).map((c) => c.name!);
  const podName = pod.metadata.name;
  if (requested) {
    if (!names.includes(requested))
      throw badRequest(`container ${requested} is not valid for pod ${podName}`);
    return requested;
  }
  if (names.length === 1) return names[0]!;
  throw badRequest(
    `a container name must be specified for pod ${podName}, choose one of: [${names.join(" ")}]`,
  );
}

export function serveLogs(ctx: ResourceContext): void {
  const { core, url, res, info } = ctx;
  if (info.verb !== "get") throw badRequest("pods/log only supports GET");
  const pod = core.store.get("pods", info);
  const container = containerFor(pod, url.searchParams.get("container"));
  const timestamps = url.searchParams.get("timestamps") === "true";
  const render = (line: LogLine) => `${timestamps ? withTimestamp(line) : line.text}\n`;
  const tail = url.searchParams.get("tailLines");
  let lines = core.podLogs.lines(info.namespace, info.name, container);
  if (tail !== null) lines = Number(tail) > 0 ? lines.slice(-Number(tail)) : [];

  res.writeHead(200, { "content-type": "text/plain", "transfer-encoding": "chunked" });
  for (const line of lines) res.write(render(line));
  if (url.searchParams.get("follow") !== "true") {
    res.end();
    return;
  }
  res.flushHeaders();
  const stop = core.podLogs.follow(info.namespace, info.name, {
    container,
    onLine: (line) => res.write(render(line)),
    onEnd: () => res.end(),
  });
  res.on("close", stop);
}
