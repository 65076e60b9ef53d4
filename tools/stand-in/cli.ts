/**
 * `npm run stand-in -- --port N --out DIR`: the stand-in for people and the demo. Serves on
 * 127.0.0.1:N, writes DIR/admin.kubeconfig and DIR/ca.crt, seeds the demo namespaces, prints
 * its URL, and keeps the demo pods logging (so `kubectl logs -f` shows life) until SIGINT or
 * SIGTERM.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startStandIn } from "./index.ts";
import { demoPods } from "./seed.ts";

const USAGE = "usage: npm run stand-in -- --port N --out DIR [--max-token-expiration SECONDS]";

const { values } = parseArgs({
  options: {
    port: { type: "string" },
    out: { type: "string" },
    "max-token-expiration": { type: "string" },
    help: { type: "boolean" },
  },
});
if (values.help || !values.out) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`stand-in: --port must be a TCP port number, not ${values.port}`);
  process.exit(2);
}

const out = resolve(values.out);
await mkdir(out, { recursive: true });
const maxTokenExpirationSeconds = values["max-token-expiration"]
  ? Number(values["max-token-expiration"])
  : undefined;
const standIn = await startStandIn({ port, maxTokenExpirationSeconds });
await standIn.seedDemo();
await writeFile(join(out, "ca.crt"), standIn.caCert);
await standIn.writeKubeconfig(join(out, "admin.kubeconfig"));

let tick = 0;
const heartbeat = setInterval(() => {
  tick++;
  for (const { namespace, name } of demoPods()) {
    if (standIn.store.find("pods", { namespace, name })) {
      standIn.appendPodLog(namespace, name, `${new Date().toISOString()} heartbeat ${tick}`);
    }
  }
}, 5000);

console.log(standIn.url);
console.error(
  `stand-in: admin kubeconfig ${join(out, "admin.kubeconfig")}; try: KUBECONFIG=${join(out, "admin.kubeconfig")} kubectl get pods -A`,
);

const stop = async () => {
  clearInterval(heartbeat);
  await standIn.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
