/**
 * CertificateSigningRequest validation as pkg/apis/certificates/validation (1.32) words it:
 * the PKCS#10 request and its signature, key usages, the signer name, the requested duration,
 * the conditions (Approved/Denied/Failed only "True", Approved and Denied exclusive, none
 * removed), and what an update may change depending on the path it takes (`approval` sets
 * approval conditions, `status` the certificate). What the stored object already has is
 * tolerated, as getValidationOptions does.
 */

import { dnsLabelErrors, dnsSubdomainErrors } from "../names.ts";
import type { KubeObject } from "../objects.ts";
import { sameJson } from "../objects.ts";
import {
  type FieldError,
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
} from "../status.ts";
import { certificateError, parseCsr } from "./csr-request.ts";

export const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";
export const KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";

export interface Condition {
  type?: string;
  status?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  [field: string]: unknown;
}

export interface Spec {
  request?: string;
  signerName?: string;
  expirationSeconds?: number;
  usages?: string[];
  [field: string]: unknown;
}

export const specOf = (csr: KubeObject | undefined) => (csr?.spec ?? {}) as Spec;
export const statusOf = (csr: KubeObject | undefined) =>
  (csr?.status ?? {}) as { conditions?: Condition[]; certificate?: string };
export const conditionsOf = (csr: KubeObject | undefined) => statusOf(csr).conditions ?? [];
const certificateOf = (csr: KubeObject | undefined) => Buffer.from(statusOf(csr).certificate ?? "", "base64");

const VALID_USAGES = [
  "signing",
  "digital signature",
  "content commitment",
  "key encipherment",
  "key agreement",
  "data encipherment",
  "cert sign",
  "crl sign",
  "encipher only",
  "decipher only",
  "any",
  "server auth",
  "client auth",
  "code signing",
  "email protection",
  "s/mime",
  "ipsec end system",
  "ipsec tunnel",
  "ipsec user",
  "timestamping",
  "ocsp signing",
  "microsoft sgc",
  "netscape sgc",
].sort();
const TRUE_ONLY = new Set(["Approved", "Denied", "Failed"]);

/** Go's `%#v` of a []byte. */
function goBytes(bytes: Buffer): string {
  if (bytes.length === 0) return "[]byte(nil)";
  return `[]byte{${[...bytes].map((b) => `0x${b.toString(16)}`).join(", ")}}`;
}

/** The requested certificate's subject, or the parse error. */
export function parseRequest(csr: KubeObject): ReturnType<typeof parseCsr> {
  return parseCsr(Buffer.from(specOf(csr).request ?? "", "base64"));
}

/** apivalidation.ValidateSignerName. */
function signerNameErrors(name: string | undefined): FieldError[] {
  const field = "spec.signerName";
  if (!name) return [fieldRequired(field)];
  const segments = name.split("/");
  if (segments.length !== 2) {
    return [
      fieldInvalid(
        field,
        name,
        "must be a fully qualified domain and path of the form 'example.com/signer-name'",
      ),
    ];
  }
  const [domain, path] = segments as [string, string];
  const errors: FieldError[] = [];
  const tooLong = (max: number): FieldError => ({
    type: "FieldValueTooLong",
    field,
    body: `Too long: may not be more than ${max} bytes`,
  });
  if (domain.length > 253) errors.push(tooLong(253));
  const labels = domain.split(".");
  for (const label of labels) {
    const problems = dnsLabelErrors(label);
    errors.push(...problems.map((p) => fieldInvalid(field, domain, `validating label "${label}": ${p}`)));
    if (problems.length) break;
  }
  if (labels.length < 2)
    errors.push(
      fieldInvalid(field, domain, "should be a domain with at least two segments separated by dots"),
    );
  for (const label of path.split(".")) {
    const problems = dnsSubdomainErrors(label);
    errors.push(...problems.map((p) => fieldInvalid(field, path, `validating label "${label}": ${p}`)));
    if (problems.length) break;
  }
  if (name.length > 571) errors.push(tooLong(571));
  return errors;
}

interface Options {
  allowBothApprovedAndDenied: boolean;
  allowLegacySignerName: boolean;
  allowDuplicateConditionTypes: boolean;
  allowEmptyConditionType: boolean;
  allowArbitraryCertificate: boolean;
  allowDuplicateUsages: boolean;
  allowUnknownUsages: boolean;
}

const hasDuplicates = (values: unknown[]) => new Set(values).size !== values.length;

/** getValidationOptions: what an update may keep because the stored object already has it. */
export function optionsFor(csr: KubeObject, old: KubeObject | undefined): Options {
  const oldTypes = conditionsOf(old).map((c) => c.type);
  const oldUsages = specOf(old).usages ?? [];
  return {
    allowBothApprovedAndDenied: !!old && oldTypes.includes("Approved") && oldTypes.includes("Denied"),
    allowLegacySignerName: !!old && specOf(old).signerName === LEGACY_UNKNOWN_SIGNER,
    allowDuplicateConditionTypes: !!old && hasDuplicates(oldTypes),
    allowEmptyConditionType: !!old && oldTypes.some((t) => !t),
    allowArbitraryCertificate:
      !!old &&
      (certificateOf(csr).equals(certificateOf(old)) || certificateError(certificateOf(old)) !== undefined),
    allowDuplicateUsages: !!old && hasDuplicates(oldUsages),
    allowUnknownUsages: !!old && oldUsages.some((u) => !VALID_USAGES.includes(u)),
  };
}

function conditionErrors(conditions: Condition[], opts: Options): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string | undefined>();
  let approved = false;
  let denied = false;
  conditions.forEach((c, i) => {
    const path = `status.conditions[${i}]`;
    if (!opts.allowEmptyConditionType && !c.type) errors.push(fieldRequired(`${path}.type`));
    const allowed = TRUE_ONLY.has(c.type ?? "") ? ["True"] : ["False", "True", "Unknown"];
    if (!c.status) errors.push(fieldRequired(`${path}.status`));
    else if (!allowed.includes(c.status)) errors.push(fieldNotSupported(`${path}.status`, c.status, allowed));
    if (!opts.allowBothApprovedAndDenied) {
      const exclusive = (c.type === "Approved" && denied) || (c.type === "Denied" && approved);
      if (c.type === "Approved") approved = true;
      if (c.type === "Denied") denied = true;
      if (exclusive)
        errors.push(
          fieldInvalid(`${path}.type`, c.type, "Approved and Denied conditions are mutually exclusive"),
        );
    }
    if (!opts.allowDuplicateConditionTypes) {
      if (seen.has(c.type))
        errors.push({
          type: "FieldValueDuplicate",
          field: `${path}.type`,
          body: `Duplicate value: ${JSON.stringify(c.type)}`,
        });
      seen.add(c.type);
    }
  });
  return errors;
}

/** validateCertificateSigningRequest. */
export function csrErrors(csr: KubeObject, opts: Options): FieldError[] {
  const spec = specOf(csr);
  const errors: FieldError[] = [];
  const request = Buffer.from(spec.request ?? "", "base64");
  try {
    parseCsr(request);
  } catch (err) {
    errors.push({
      type: "FieldValueInvalid",
      field: "spec.request",
      body: `Invalid value: ${goBytes(request)}: ${(err as Error).message}`,
    });
  }
  const usages = spec.usages ?? [];
  if (usages.length === 0) errors.push(fieldRequired("spec.usages"));
  usages.forEach((usage, i) => {
    if (!opts.allowUnknownUsages && !VALID_USAGES.includes(usage))
      errors.push(fieldNotSupported(`spec.usages[${i}]`, usage, VALID_USAGES));
    if (!opts.allowDuplicateUsages && usages.indexOf(usage) < i)
      errors.push({
        type: "FieldValueDuplicate",
        field: `spec.usages[${i}]`,
        body: `Duplicate value: ${JSON.stringify(usage)}`,
      });
  });
  if (!opts.allowLegacySignerName && spec.signerName === LEGACY_UNKNOWN_SIGNER) {
    errors.push(
      fieldInvalid(
        "spec.signerName",
        spec.signerName,
        "the legacy signerName is not allowed via this API version",
      ),
    );
  } else errors.push(...signerNameErrors(spec.signerName));
  if (spec.expirationSeconds !== undefined && spec.expirationSeconds < 600) {
    errors.push(
      fieldInvalid(
        "spec.expirationSeconds",
        spec.expirationSeconds,
        "may not specify a duration less than 600 seconds (10 minutes)",
      ),
    );
  }
  errors.push(...conditionErrors(conditionsOf(csr), opts));
  const problem = opts.allowArbitraryCertificate ? undefined : certificateError(certificateOf(csr));
  if (problem) errors.push(fieldInvalid("status.certificate", "<certificate data>", problem));
  return errors;
}

const count = (csr: KubeObject | undefined, type: string) => conditionsOf(csr).filter((c) => c.type === type);

/** validateCertificateSigningRequestUpdate. */
export function updateErrors(
  csr: KubeObject,
  old: KubeObject,
  may: { approve?: boolean; certify?: boolean },
): FieldError[] {
  const errors = csrErrors(csr, optionsFor(csr, old));
  for (const type of ["Approved", "Denied", "Failed"]) {
    if (count(csr, type).length < count(old, type).length)
      errors.push(
        fieldForbidden("status.conditions", `updates may not remove a condition of type "${type}"`),
      );
  }
  if (!may.approve) {
    for (const type of ["Approved", "Denied"]) {
      const now = count(csr, type);
      const before = count(old, type);
      if (now.length > before.length)
        errors.push(fieldForbidden("status.conditions", `updates may not add a condition of type "${type}"`));
      else if (now.length === before.length && !sameJson(now, before))
        errors.push(
          fieldForbidden("status.conditions", `updates may not modify a condition of type "${type}"`),
        );
    }
  }
  if (!certificateOf(csr).equals(certificateOf(old))) {
    if (!may.certify)
      errors.push(fieldForbidden("status.certificate", "updates may not set certificate content"));
    else if (certificateOf(old).length > 0)
      errors.push(
        fieldForbidden("status.certificate", "updates may not modify existing certificate content"),
      );
  }
  return errors;
}
