import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../tools/free-port.ts";

/** Debian's package; .ci/run installs it. */
export const ALERTMANAGER_BINARY = "/usr/bin/prometheus-alertmanager";

/** An alert as Alertmanager's GET /api/v2/alerts lists it (the fields tests look at). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
  status: { state: string };
}

export interface AlertmanagerHarness {
  /** Base URL, as `alerts.alertmanagers[].url` takes it. */
  url: string;
  /** The alerts it holds now (GET /api/v2/alerts). */
  alerts(): Promise<GettableAlert[]>;
  close(): Promise<void>;
}

/**
 * A real Alertmanager on a free loopback port, with its own storage and no cluster gossip.
 * It routes everything, grouped by the labels the broker sends, to `webhookUrl` (a
 * test/support/webhook-receiver.ts), with a short group_wait so tests can watch grouping.
 */
export async function startAlertmanager(options: { webhookUrl: string }): Promise<AlertmanagerHarness> {
  const dir = await mkdtemp(join(tmpdir(), "kb-alertmanager-"));
  const config = join(dir, "alertmanager.yml");
  await writeFile(
    config,
    JSON.stringify({
      route: {
        receiver: "test",
        group_by: ["alertname", "cluster", "namespace", "user"],
        group_wait: "100ms",
        group_interval: "1s",
        repeat_interval: "1h",
      },
      receivers: [{ name: "test", webhook_configs: [{ url: options.webhookUrl, send_resolved: false }] }],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(
    ALERTMANAGER_BINARY,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  for (const stream of [proc.stdout, proc.stderr]) stream?.on("data", (c: Buffer) => (output += c));
  const killOnExit = () => proc.kill("SIGKILL");
  process.once("exit", killOnExit);
  const close = async () => {
    process.off("exit", killOnExit);
    await stop(proc);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, proc, () => output);
  } catch (err) {
    await close();
    throw err;
  }
  return {
    url,
    alerts: async () => {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts: HTTP ${res.status}`);
      return (await res.json()) as GettableAlert[];
    },
    close,
  };
}

async function waitUntilReady(url: string, proc: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`alertmanager exited: ${output()}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`alertmanager at ${url} did not become ready: ${output()}`);
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = once(proc, "exit");
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}
