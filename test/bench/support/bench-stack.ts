/**
 * The processes a gateway benchmark runs against (see ipc.ts for why they are apart):
 * stack-host.ts (Redis, the stand-in, the fast upstream, a broker that hands out
 * credentials), the broker under measurement (broker-host.ts, the real composition root on
 * the same Redis and clusters) and, if asked, the bare pass-through (bare-proxy.ts).
 */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Config } from "../../../src/config/schema.ts";
import { type Child, startChild } from "./ipc.ts";
import type { UpstreamTarget } from "./pass-through.ts";
import { shippedNodeFlags } from "./shipped-node-flags.ts";

export const CLUSTERS = ["test", "fast"] as const;
export type ClusterName = (typeof CLUSTERS)[number];

/** A `view` grant on team-a in one cluster, with a token for each way in. */
export interface BenchGrant {
  id: string;
  /** Gateway audience: what kubectl holds; works only through the gateway. */
  token: string;
  /** API audience, same ServiceAccount: what a client going straight to the upstream uses. */
  apiToken: string;
}

export interface StackInfo {
  brokerUrl: string;
  caCert: string;
  tls: { certFile: string; keyFile: string };
  config: Config;
  env: Record<string, string>;
  redis: { url: string; keyPrefix: string };
  upstreams: Record<ClusterName, UpstreamTarget>;
  grants: Record<ClusterName, BenchGrant>;
  /** With `exec`: edit grants on "test" whose role records sessions, and whose role does not. */
  exec?: { recorded: BenchGrant; unrecorded: BenchGrant };
}

/** The pod annotation holding its creation time (ms since the epoch, sub-ms precision). */
export const CREATED_AT = "bench.kube-broker.io/created-at";

export interface Served {
  url: string;
  pid: number;
}

export interface BenchStack {
  info: StackInfo;
  /** The stack host: upstreams, Redis client side, pod creation. */
  host: Child;
  /** The broker whose gateway is measured, and its process; rootUrl is its prefix-free listener. */
  gateway: Served & { rootUrl: string };
  broker: Child;
  bare: Served | undefined;
  close(): Promise<void>;
}

export async function startBenchStack(
  options: { bareProxy?: boolean; exec?: boolean } = {},
): Promise<BenchStack> {
  const children: Child[] = [];
  const spawn = (script: string | URL, nodeFlags: string[] = []) => {
    const child = startChild(new URL(script, import.meta.url), nodeFlags);
    children.push(child);
    return child;
  };
  const host = spawn("./stack-host.ts");
  const info = await host.call<StackInfo>("start", { exec: options.exec ?? false });
  // The broker as the image runs it: its bundle, with the image's Node flags.
  const broker = spawn(await shipped("./broker-host.ts"), await shippedNodeFlags());
  const urls = await broker.call<{ url: string; rootUrl: string }>("start", {
    config: info.config,
    env: info.env,
  });
  const gateway = { ...urls, pid: broker.pid };
  let bare: Served | undefined;
  if (options.bareProxy) {
    const proxy = spawn(await shipped("./bare-proxy.ts"));
    const url = await proxy.call<string>("start", { ...info.tls, upstreams: info.upstreams });
    bare = { url, pid: proxy.pid };
  }
  return {
    info,
    host,
    gateway,
    broker,
    bare,
    close: async () => {
      for (const child of children.reverse()) await child.close();
    },
  };
}

/**
 * A measured process as the broker ships (dist/kube-broker.js): bundled by esbuild,
 * node_modules imported. Run from the .ts sources it would also carry Node's type stripper,
 * some 20 MB of RSS the product does not have. Bundles go to .tmp/ (git-ignored).
 */
async function shipped(script: string): Promise<URL> {
  const outfile = fileURLToPath(
    new URL(`../../../.tmp/bench/${basename(script, ".ts")}.mjs`, import.meta.url),
  );
  await build({
    entryPoints: [fileURLToPath(new URL(script, import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    packages: "external",
    logLevel: "warning",
  });
  return new URL(`file://${outfile}`);
}
