import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

/**
 * The IdP refresh token is kept in Redis encrypted with a key derived from the session
 * secret, which the broker never stores: someone who reads Redis cannot use it, and only a
 * request carrying the session can unlock it.
 */
function keyFor(sessionSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", sessionSecret, "kube-broker", "idp-refresh-token", 32));
}

export function sealForSession(sessionSecret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFor(sessionSecret), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [iv, body, cipher.getAuthTag()].map((b) => b.toString("base64url")).join(".");
}

export function openForSession(sessionSecret: string, sealed: string): string | undefined {
  const [iv, body, tag] = sealed.split(".").map((part) => Buffer.from(part, "base64url"));
  if (!iv || !body || !tag) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", keyFor(sessionSecret), iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
