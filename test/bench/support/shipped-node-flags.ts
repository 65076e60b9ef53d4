import { readFile } from "node:fs/promises";

/**
 * The Node flags the image starts the broker with (the Dockerfile's ENTRYPOINT, between the
 * node binary and the bundle), so that the broker a benchmark measures runs as it ships.
 */
export async function shippedNodeFlags(
  dockerfile = new URL("../../../Dockerfile", import.meta.url),
): Promise<string[]> {
  const text = await readFile(dockerfile, "utf8");
  const line = text.match(/^ENTRYPOINT (\[.*\])$/m)?.[1];
  if (!line) throw new Error("the Dockerfile has no ENTRYPOINT in exec form");
  const entrypoint = JSON.parse(line) as string[];
  const bundle = entrypoint.indexOf("dist/kube-broker.js");
  if (bundle < 1) throw new Error("the Dockerfile's ENTRYPOINT does not run dist/kube-broker.js");
  return entrypoint.slice(1, bundle);
}
