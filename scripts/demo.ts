/**
 * `npm run demo`: a local sandbox. At this stage it starts what exists — a private Redis (or
 * REDIS_URL), the dev OIDC provider with demo users, and the broker with config/demo.yaml —
 * and says what is still to come. Ctrl-C stops everything it started.
 */
import { mkdir, readFile } from "node:fs/promises";
import { parse } from "yaml";
import { applyEnvOverrides } from "../src/config/env-overrides.ts";
import { parseConfig } from "../src/config/load.ts";
import { startBroker } from "../src/server.ts";
import { startOidcProvider } from "../test/support/oidc-provider.ts";
import { startRedis } from "../test/support/redis.ts";

const BROKER_PORT = Number(process.env.KB_DEMO_PORT ?? 8443);

await mkdir(".demo", { recursive: true });
const redis = await startRedis({ persist: false });
const idp = await startOidcProvider({ redirectUris: [`http://127.0.0.1:${BROKER_PORT}/v1/login/callback`] });
process.env.KB_DEMO_OIDC_SECRET = idp.web.clientSecret;

const raw = applyEnvOverrides(parse(await readFile("config/demo.yaml", "utf8")), process.env);
const config = parseConfig(
  {
    ...raw,
    server: {
      ...(raw.server as object),
      listen: `127.0.0.1:${BROKER_PORT}`,
      publicUrl: `http://127.0.0.1:${BROKER_PORT}`,
    },
    redis: { url: redis.url },
    oidc: { ...(raw.oidc as object), issuer: idp.issuer },
  },
  "config/demo.yaml",
);
const broker = await startBroker(config);

console.log(`
kube-broker demo is running
  broker        ${broker.url}   (health: ${broker.url}/healthz)
  OIDC provider ${idp.issuer}   (users: ${idp.users.map((u) => u.sub).join(", ")}; any password)
  Redis         ${redis.url}

Still to come in this sandbox: the Kubernetes API stand-in, login, the gateway and the
kubectl plugin. Press Ctrl-C to stop.`);

const stop = async () => {
  await broker.close();
  await idp.close();
  await redis.close();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
