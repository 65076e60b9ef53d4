/**
 * Session recording benchmark (DESIGN.md "Performance targets", issue 19): throughput of a
 * large exec stream, `cat` of 50 MiB echoed back, through the gateway with recording on, as
 * a ratio against the same gateway with recording off, a bare http-proxy and a direct
 * connection to the API stand-in, in one run and in interleaved turns. The same broker process
 * serves both gateway ways: one role records (best-effort), its twin does not, and the bench
 * user holds a grant of each. Recording works on a copy of the bytes and never holds the relay
 * up, so what it costs shows as the broker's and Redis's CPU per MiB and, on two shared cores,
 * as throughput. Every recording is then read back from Redis: ended, not lost, not truncated,
 * its stdin and stdout exactly the payload. A second part runs the real kubectl over SPDY.
 * Run: npx node test/bench/recording.ts   (about 2 minutes; BENCH_ROUNDS sets the turns per
 * way, default 5; BENCH_EXEC_MIB the payload, default 50; BENCH_PACE_MIB caps the WebSocket
 * ways' sending rate, in MiB/s, to find the rate at which recordings stay whole)
 */
import { spawn } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { kubeconfigYaml } from "../../tools/stand-in/kubeconfig.ts";
import { kubectlSandbox } from "../../tools/stand-in/kubectl.ts";
import { redisPid } from "./support/audit-count.ts";
import { startBenchStack } from "./support/bench-stack.ts";
import { execStream, stdinMessages, textPayload } from "./support/exec-stream.ts";
import { cpuSeconds } from "./support/proc.ts";
import { type CastCheck, RecordingReader } from "./support/recording-check.ts";
import { printResult, printTable, type Row, times } from "./support/report.ts";
import { round } from "./support/stats.ts";

const MiB = 2 ** 20;
const PAYLOAD_MIB = Number(process.env.BENCH_EXEC_MIB ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** BENCH_PACE_MIB: every WebSocket way sends at most this fast (MiB/s), to find what stays whole. */
const PACE = process.env.BENCH_PACE_MIB ? Number(process.env.BENCH_PACE_MIB) : undefined;
/** kubectl runs cost a process start each; fewer turns. */
const SPDY_ROUNDS = 2;
const CHUNK_BYTES = 32 * 1024;
const WINDOW_BYTES = 4 * MiB;
const TARGET = 0.8;
const EXEC_PATH = "/api/v1/namespaces/team-a/pods/web-1/exec?command=cat&stdin=true&stdout=true";

const WAYS = ["direct", "bare", "off", "on"] as const;
type Way = (typeof WAYS)[number];
const LABELS: Record<Way, string> = {
  direct: "direct to the stand-in",
  bare: "bare http-proxy",
  off: "gateway, recording off",
  on: "gateway, recording on",
};

const stack = await startBenchStack({ bareProxy: true, exec: true });
const { info } = stack;
const grants = info.exec!;
const ca = [info.caCert, info.upstreams.test.caCert];
const redis = await redisPid(info.redis.url);
const reader = new RecordingReader(info.redis);
const problems: string[] = [];

const payload = textPayload(PAYLOAD_MIB * MiB);
const payloadText = payload.toString("latin1");
const messages = stdinMessages(payload, CHUNK_BYTES);

const wss = (url: string) => url.replace(/^https:/, "wss:");
const gatewayExec = `${wss(stack.gateway.url)}/clusters/test${EXEC_PATH}`;
const targets: Record<Way, { url: string; token: string }> = {
  // A grant's ServiceAccount token for the API's audience: the same identity, no broker.
  direct: { url: `${wss(info.upstreams.test.url)}${EXEC_PATH}`, token: grants.unrecorded.apiToken },
  bare: { url: `${wss(stack.bare!.url)}/clusters/test${EXEC_PATH}`, token: grants.unrecorded.apiToken },
  off: { url: gatewayExec, token: grants.unrecorded.token },
  on: { url: gatewayExec, token: grants.recorded.token },
};

/** The processes whose CPU a run is charged: the stand-in's host, the bare proxy, the broker, Redis. */
const PIDS = { standIn: stack.host.pid, bare: stack.bare!.pid, broker: stack.gateway.pid, redis };
type Cpu = Record<keyof typeof PIDS, number>;
const cpuNow = (): Cpu =>
  Object.fromEntries(Object.entries(PIDS).map(([name, pid]) => [name, cpuSeconds(pid)])) as Cpu;
const cpuSince = (before: Cpu): Cpu =>
  Object.fromEntries(
    Object.entries(cpuNow()).map(([name, s]) => [name, s - before[name as keyof Cpu]]),
  ) as Cpu;

const seen = new Set<string>();
const casts: CastCheck[] = [];

/**
 * The recorded session's recording, once its last write is done (so that the CPU charged to
 * the run includes all of it), then checked and deleted. Returns the CPU up to the end.
 */
async function recordingOf(grant: string, before: Cpu): Promise<Cpu> {
  const meta = await reader.ended(grant, seen);
  const cpu = cpuSince(before);
  seen.add(meta.id);
  const check = await reader.check(meta, payloadText);
  casts.push(check);
  for (const problem of check.problems) problems.push(`recording ${meta.id}: ${problem}`);
  await reader.drop(meta.id);
  return cpu;
}

interface Run {
  seconds: number;
  cpu: Cpu;
}

async function wsRun(way: Way): Promise<Run> {
  const before = cpuNow();
  const { seconds } = await execStream({
    ...targets[way],
    ca,
    payload,
    messages,
    windowBytes: WINDOW_BYTES,
    ...(PACE ? { paceMiBps: PACE } : {}),
  });
  const cpu = way === "on" ? await recordingOf(grants.recorded.id, before) : cpuSince(before);
  return { seconds, cpu };
}

// WebSocket: one unmeasured turn of each way (JIT, connections), then ROUNDS interleaved turns.
const runs: Record<Way, Run[]> = { direct: [], bare: [], off: [], on: [] };
for (const way of WAYS) await wsRun(way);
casts.length = 0;
for (let turn = 0; turn < ROUNDS; turn++) for (const way of WAYS) runs[way].push(await wsRun(way));

// SPDY: the real kubectl, stdin from a file, as `kubectl exec -i web-1 -- cat < file` does.
// The bare proxy has no SPDY way: http-proxy's ws() upgrades WebSocket only.
const SPDY_WAYS = ["direct", "off", "on"] as const;
type SpdyWay = (typeof SPDY_WAYS)[number];
const kubectl = await kubectlSandbox();
const file = join(kubectl.dir, "payload.txt");
writeFileSync(file, payload);
const kubeconfigs: Record<SpdyWay, string> = {
  direct: kubeconfigYaml(info.upstreams.test.url, info.upstreams.test.caCert, grants.unrecorded.apiToken),
  off: kubeconfigYaml(`${stack.gateway.url}/clusters/test`, info.caCert, grants.unrecorded.token),
  on: kubeconfigYaml(`${stack.gateway.url}/clusters/test`, info.caCert, grants.recorded.token),
};
const kubeconfigFiles = Object.fromEntries(
  SPDY_WAYS.map((way) => {
    const path = join(kubectl.dir, `${way}.kubeconfig`);
    writeFileSync(path, kubeconfigs[way], { mode: 0o600 });
    return [way, path];
  }),
) as Record<SpdyWay, string>;

async function spdyRun(way: SpdyWay): Promise<Run> {
  const { args, env } = kubectl.invocation(
    kubeconfigFiles[way],
    ["exec", "-i", "-n", "team-a", "web-1", "--", "cat"],
    { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: "false" },
  );
  const before = cpuNow();
  const started = performance.now();
  const stdin = openSync(file, "r");
  const child = spawn("kubectl", args, { env, stdio: [stdin, "pipe", "pipe"] });
  closeSync(stdin);
  let received = 0;
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    received += chunk.length;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const code = await new Promise<number>((resolve) => child.once("close", (c) => resolve(c ?? 1)));
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0 || received !== payload.length) {
    problems.push(`kubectl over SPDY, ${way}: exit ${code}, ${received} bytes out; ${stderr.trim()}`);
  }
  const cpu = way === "on" ? await recordingOf(grants.recorded.id, before) : cpuSince(before);
  return { seconds, cpu };
}

const wsCasts = casts.splice(0);
const spdyRuns: Record<SpdyWay, Run[]> = { direct: [], off: [], on: [] };
for (const way of SPDY_WAYS) await spdyRun(way);
casts.length = 0;
for (let turn = 0; turn < SPDY_ROUNDS; turn++) {
  for (const way of SPDY_WAYS) spdyRuns[way].push(await spdyRun(way));
}
const spdyCasts = casts.splice(0);
await kubectl.cleanup();

// Whatever went through the unrecorded role must have left no recording.
const unrecorded = await reader.of(grants.unrecorded.id);
if (unrecorded.length > 0) problems.push(`${unrecorded.length} recordings of the recording-off role`);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const rates = (list: Run[]) => list.map((run) => PAYLOAD_MIB / run.seconds);
/** CPU milliseconds per MiB echoed, summed over the way's turns. */
const cpuPerMiB = (list: Run[], name: keyof Cpu) =>
  (list.reduce((sum, run) => sum + run.cpu[name], 0) * 1000) / (list.length * PAYLOAD_MIB);

function throughputRows(all: Partial<Record<Way, Run[]>>, ways: readonly Way[]) {
  const mid = Object.fromEntries(ways.map((way) => [way, median(rates(all[way]!))])) as Record<Way, number>;
  const rows: Row[] = ways.map((way) => {
    const r = rates(all[way]!);
    return {
      what: LABELS[way],
      p50: `${mid[way].toFixed(1)} MiB/s`,
      p99: `${Math.min(...r).toFixed(0)}–${Math.max(...r).toFixed(0)}`,
      ...(way === "on" ? { target: `≥ ${TARGET.toFixed(2)}× off` } : {}),
      ratio: way === "on" ? `${times(mid.on / mid.off)} off` : times(mid[way] / mid.direct),
    };
  });
  return { mid, rows };
}

function cpuRows(all: Partial<Record<Way, Run[]>>) {
  const ms = (v: number) => `${v.toFixed(1)}`;
  const off = { broker: cpuPerMiB(all.off!, "broker"), redis: cpuPerMiB(all.off!, "redis") };
  const on = { broker: cpuPerMiB(all.on!, "broker"), redis: cpuPerMiB(all.on!, "redis") };
  const bare = all.bare ? cpuPerMiB(all.bare, "bare") : undefined;
  const rows: Row[] = [
    ...(bare === undefined ? [] : [{ what: "CPU/MiB, bare proxy process", p50: `${ms(bare)} ms` }]),
    {
      what: "CPU/MiB, broker + Redis, recording off",
      p50: `${ms(off.broker)} + ${ms(off.redis)} ms`,
      ...(bare === undefined ? {} : { ratio: `${times((off.broker + off.redis) / bare)} bare` }),
    },
    {
      what: "CPU/MiB, broker + Redis, recording on",
      p50: `${ms(on.broker)} + ${ms(on.redis)} ms`,
      ratio: `${times((on.broker + on.redis) / (off.broker + off.redis))} off`,
    },
    { what: "CPU/MiB, stand-in process (direct)", p50: `${ms(cpuPerMiB(all.direct!, "standIn"))} ms` },
  ];
  return { rows, figures: { bare, off, on, standIn: cpuPerMiB(all.direct!, "standIn") } };
}

const columns = { what: "what", p50: "median", p99: "range MiB/s", target: "target", ratio: "ratio" };
const ws = throughputRows(runs, WAYS);
const wsCpu = cpuRows(runs);
const mib = (list: CastCheck[], size: "recorded" | "held" | "cast") =>
  (median(list.map((c) => c[size])) / MiB).toFixed(1);
/** What one recorded session costs Redis, against what was recorded and what it plays as. */
const sizeRow = (list: CastCheck[]): Row => ({
  what: "per recorded session: recorded → held in Redis",
  p50: `${mib(list, "recorded")} → ${mib(list, "held")} MiB`,
  p99: `${Math.round(median(list.map((c) => c.events)))} events`,
  ratio: `cast ${mib(list, "cast")} MiB`,
});
printTable(
  `exec cat of ${PAYLOAD_MIB} MiB over WebSocket (v5.channel.k8s.io, ${CHUNK_BYTES / 1024} KiB messages, ≤ ${WINDOW_BYTES / MiB} MiB in flight${PACE ? `, sent at ≤ ${PACE} MiB/s` : ""}), ${ROUNDS} turns each`,
  [...ws.rows, ...wsCpu.rows, sizeRow(wsCasts)],
  columns,
);
const spdy = throughputRows(spdyRuns, SPDY_WAYS);
const spdyCpu = cpuRows(spdyRuns);
printTable(
  `kubectl exec -i … -- cat < ${PAYLOAD_MIB} MiB file over SPDY/3.1 (kubectl's start included), ${SPDY_ROUNDS} turns each`,
  [...spdy.rows, ...spdyCpu.rows, sizeRow(spdyCasts)],
  columns,
);

const recorded = wsCasts.length + spdyCasts.length;
const whole = [...wsCasts, ...spdyCasts].filter((c) => c.problems.length === 0).length;
console.log(
  `\nrecordings read back: ${whole} of ${recorded} ended whole (not lost, not truncated, stdin and stdout exactly the payload) ${whole === recorded ? "✓" : "✗"}`,
);
console.log(
  `machine: ${availableParallelism()} cores shared by the load generator, the stand-in, Redis and the proxy under test`,
);
for (const problem of problems) console.log(`PROBLEM ${problem}`);
const pick = (mid: Record<string, number>) =>
  Object.fromEntries(Object.entries(mid).map(([way, v]) => [way, round(v, 1)]));
const cpuFigures = (f: ReturnType<typeof cpuRows>["figures"]) => ({
  bare: f.bare === undefined ? undefined : round(f.bare, 2),
  off: { broker: round(f.off.broker, 2), redis: round(f.off.redis, 2) },
  on: { broker: round(f.on.broker, 2), redis: round(f.on.redis, 2) },
  standIn: round(f.standIn, 2),
});
printResult("recording", {
  cores: availableParallelism(),
  payloadMiB: PAYLOAD_MIB,
  websocket: {
    ...(PACE ? { paceMiBps: PACE } : {}),
    rounds: ROUNDS,
    mibPerSecond: pick(ws.mid),
    ratio: round(ws.mid.on / ws.mid.off),
    target: TARGET,
    met: ws.mid.on / ws.mid.off >= TARGET,
    cpuMsPerMiB: cpuFigures(wsCpu.figures),
    recordedBytes: Math.round(median(wsCasts.map((c) => c.recorded))),
    heldBytes: Math.round(median(wsCasts.map((c) => c.held))),
  },
  spdy: {
    rounds: SPDY_ROUNDS,
    mibPerSecond: pick(spdy.mid),
    ratio: round(spdy.mid.on / spdy.mid.off),
    cpuMsPerMiB: cpuFigures(spdyCpu.figures),
  },
  recordings: { checked: recorded, whole },
});
reader.close();
await stack.close();
process.exit(problems.length > 0 ? 1 : 0);
