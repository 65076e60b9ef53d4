/**
 * Reading `spec.request` the way certificates.ParseCSR and CertificateRequest.CheckSignature do:
 * the first PEM block must be a CERTIFICATE REQUEST holding a PKCS#10 request whose signature
 * verifies with its own public key (RSA PKCS#1 v1.5, ECDSA, Ed25519). The subject's common name
 * and organizations are what admission (CertificateSubjectRestriction) looks at. Error texts
 * follow Go's where the stand-in can produce the same failure.
 */
import { createPublicKey, verify, X509Certificate } from "node:crypto";

export interface CsrSubject {
  commonName?: string;
  organizations: string[];
}

interface Tlv {
  tag: number;
  start: number;
  /** Offset of the value. */
  body: number;
  end: number;
}

class Malformed extends Error {}
/** A failure with Go's own words (anything else reads as a malformed request). */
class GoError extends Error {}

function readTlv(der: Buffer, at: number): Tlv {
  if (at + 2 > der.length) throw new Malformed();
  const tag = der[at]!;
  let length = der[at + 1]!;
  let body = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4 || body + bytes > der.length) throw new Malformed();
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[body + i]!;
    body += bytes;
  }
  if (body + length > der.length) throw new Malformed();
  return { tag, start: at, body, end: body + length };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.body; at < parent.end; ) {
    const child = readTlv(der, at);
    out.push(child);
    at = child.end;
  }
  return out;
}

function oid(der: Buffer, tlv: Tlv): string {
  const bytes = der.subarray(tlv.body, tlv.end);
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join(".");
}

const SIGNATURE_HASHES: Record<string, string | null> = {
  "1.2.840.113549.1.1.5": "sha1",
  "1.2.840.113549.1.1.11": "sha256",
  "1.2.840.113549.1.1.12": "sha384",
  "1.2.840.113549.1.1.13": "sha512",
  "1.2.840.10045.4.3.2": "sha256",
  "1.2.840.10045.4.3.3": "sha384",
  "1.2.840.10045.4.3.4": "sha512",
  "1.3.101.112": null,
};

function subjectOf(der: Buffer, name: Tlv): CsrSubject {
  const subject: CsrSubject = { organizations: [] };
  for (const set of children(der, name)) {
    for (const attribute of children(der, set)) {
      const [type, value] = children(der, attribute);
      if (!type || !value) throw new Malformed();
      const text = der.subarray(value.body, value.end).toString("utf8");
      const id = oid(der, type);
      if (id === "2.5.4.3") subject.commonName = text;
      if (id === "2.5.4.10") subject.organizations.push(text);
    }
  }
  return subject;
}

function pemBlock(pem: Buffer, type: string): Buffer | undefined {
  const match = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem.toString("latin1"));
  if (!match || match[1] !== type) return undefined;
  return Buffer.from(match[2]!.replace(/\s+/g, ""), "base64");
}

/** ParseCSR + CheckSignature; throws an Error with Go's message. */
export function parseCsr(pem: Buffer): CsrSubject {
  const der = pemBlock(pem, "CERTIFICATE REQUEST");
  if (!der) throw new Error("PEM block type must be CERTIFICATE REQUEST");
  let subject: CsrSubject;
  try {
    const request = readTlv(der, 0);
    const [info, algorithm, signature] = children(der, request);
    if (!info || !algorithm || !signature || signature.tag !== 0x03) throw new Malformed();
    const [, name, keyInfo] = children(der, info);
    if (!name || !keyInfo) throw new Malformed();
    subject = subjectOf(der, name);
    const algorithmId = children(der, algorithm)[0];
    const id = algorithmId ? oid(der, algorithmId) : "";
    if (!Object.hasOwn(SIGNATURE_HASHES, id)) {
      throw new GoError("x509: cannot verify signature: algorithm unimplemented");
    }
    const key = createPublicKey({
      key: der.subarray(keyInfo.start, keyInfo.end),
      format: "der",
      type: "spki",
    });
    const signed = der.subarray(info.start, info.end);
    const bits = der.subarray(signature.body + 1, signature.end);
    if (!verify(SIGNATURE_HASHES[id] ?? null, signed, key, bits)) {
      const kind = key.asymmetricKeyType;
      throw new GoError(
        kind === "rsa"
          ? "crypto/rsa: verification error"
          : `x509: ${kind === "ec" ? "ECDSA" : "Ed25519"} verification failure`,
      );
    }
  } catch (err) {
    if (err instanceof GoError) throw new Error(err.message);
    throw new Error("x509: malformed certificate request");
  }
  return subject;
}

/** validateCertificate: PEM CERTIFICATE blocks only, each a certificate. */
export function certificateError(pem: Buffer): string | undefined {
  if (pem.length === 0) return undefined;
  const blocks = [
    ...pem.toString("latin1").matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g),
  ];
  if (blocks.length === 0) return "must contain at least one CERTIFICATE PEM block";
  for (const block of blocks) {
    if (block[1] !== "CERTIFICATE") return `only CERTIFICATE PEM blocks are allowed, found "${block[1]}"`;
    try {
      new X509Certificate(Buffer.from(block[2]!.replace(/\s+/g, ""), "base64"));
    } catch {
      return "x509: malformed certificate";
    }
  }
  return undefined;
}
