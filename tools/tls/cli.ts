/**
 * A throwaway CA and a server certificate for 127.0.0.1/localhost (openssl), written to the
 * directory given: ca.crt, tls.crt, tls.key. For docker-compose and local trials only;
 * kubectl sends bearer tokens only over TLS, so even a local broker needs one.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeServerTls } from "./server-tls.ts";

const dir = process.argv[2] ?? ".demo/tls";
await mkdir(dir, { recursive: true });
const tls = await makeServerTls();
await writeFile(join(dir, "ca.crt"), tls.caCert);
await writeFile(join(dir, "tls.crt"), tls.cert);
await writeFile(join(dir, "tls.key"), tls.key, { mode: 0o600 });
console.log(`wrote ${dir}/ca.crt, tls.crt, tls.key`);
