import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { makeServerTls } from "../../../tools/tls/server-tls.ts";

const run = promisify(execFile);
const HTTP_REQUEST = new URL("../../../src/cli/broker/http-request.ts", import.meta.url).pathname;

/**
 * Whom the CLI trusts for the broker: a named CA alone first (as kubectl trusts a
 * kubeconfig's certificate-authority, and without parsing Node's 265 default roots on every
 * exec-plugin run), and Node's defaults as well when the named CA does not vouch for the
 * server. Each case runs in a process of its own, since NODE_EXTRA_CA_CERTS (one of the
 * defaults) is read when Node starts.
 */
describe("the CLI's HTTPS trust", () => {
  let server: Server;
  let url: string;
  let dir: string;
  let brokerCa: string;
  let otherCa: string;

  before(async () => {
    const tls = await makeServerTls();
    brokerCa = tls.caCert;
    otherCa = (await makeServerTls()).caCert;
    server = createServer({ cert: tls.cert, key: tls.key }, (_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `https://127.0.0.1:${(server.address() as { port: number }).port}/`;
    dir = await mkdtemp(join(tmpdir(), "kb-trust-"));
    await writeFile(join(dir, "broker-ca.crt"), brokerCa);
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Status, or the error's message, of one request trusting `ca` from a fresh process. */
  async function ask(ca: string, env: Record<string, string> = {}): Promise<string> {
    const script = `
      const { openRequest } = await import(${JSON.stringify(HTTP_REQUEST)});
      try {
        const res = await openRequest({ url: new URL(${JSON.stringify(url)}), ca: [${JSON.stringify(ca)}], what: "the broker" });
        console.log(res.statusCode);
        res.resume();
      } catch (err) { console.log(err.message); }`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
      env: { PATH: process.env.PATH, ...env },
    });
    return stdout.trim();
  }

  it("reaches a broker its named CA vouches for", async () => {
    assert.equal(await ask(brokerCa), "200");
  });

  it("falls back to Node's default CAs when the named one does not vouch for the broker", async () => {
    assert.equal(await ask(otherCa, { NODE_EXTRA_CA_CERTS: join(dir, "broker-ca.crt") }), "200");
  });

  it("refuses a broker no trusted CA vouches for, and says how to trust it", async () => {
    assert.match(
      await ask(otherCa),
      /cannot reach the broker: .*pass --certificate-authority FILE or set KUBE_BROKER_CA_FILE/,
    );
  });
});
