/**
 * A throwaway CA and a server certificate for 127.0.0.1, ::1 and localhost, made with the
 * openssl CLI at start-up. The keys live only in memory: the temporary directory openssl
 * writes to is removed before this returns, and nothing is ever written to the repository.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface ServerTls {
  caCert: string;
  cert: string;
  key: string;
}

/** EC P-256 keys: as good as RSA for a test server and generated in milliseconds. */
const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** `names`: more DNS names (or wildcards, `*.gw.test`) the certificate is for, beside loopback's. */
export async function makeServerTls(names: string[] = []): Promise<ServerTls> {
  const dir = await mkdtemp(join(tmpdir(), "stand-in-tls-"));
  const file = (name: string) => join(dir, name);
  try {
    await run("openssl", [
      "req",
      "-x509",
      ...EC,
      "-days",
      "30",
      "-subj",
      "/CN=kube-broker stand-in CA",
      "-keyout",
      file("ca.key"),
      "-out",
      file("ca.crt"),
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    await run("openssl", [
      "req",
      ...EC,
      "-subj",
      "/CN=kube-apiserver",
      "-keyout",
      file("server.key"),
      "-out",
      file("server.csr"),
    ]);
    await writeFile(
      file("server.ext"),
      [
        `subjectAltName=${["IP:127.0.0.1", "IP:::1", "DNS:localhost", ...names.map((n) => `DNS:${n}`)].join(",")}`,
        "basicConstraints=CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
      ].join("\n"),
    );
    await run("openssl", [
      "x509",
      "-req",
      "-in",
      file("server.csr"),
      "-CA",
      file("ca.crt"),
      "-CAkey",
      file("ca.key"),
      "-CAcreateserial",
      "-days",
      "30",
      "-extfile",
      file("server.ext"),
      "-out",
      file("server.crt"),
    ]);
    const [caCert, cert, key] = await Promise.all(
      ["ca.crt", "server.crt", "server.key"].map((name) => readFile(file(name), "utf8")),
    );
    return { caCert: caCert!, cert: cert!, key: key! };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
