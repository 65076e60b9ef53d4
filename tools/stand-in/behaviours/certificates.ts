/**
 * CertificateSigningRequests (certificates.k8s.io/v1) as pkg/registry/certificates and
 * pkg/apis/certificates/validation (1.32) handle them: the requester's identity is recorded in
 * spec on create and status starts empty; spec is immutable and the object's own updates leave
 * status alone; the `approval` subresource changes only the conditions and `status` everything
 * but the spec and the Approved/Denied conditions; condition timestamps are filled in. No signer
 * runs, so an approved request never gets a certificate unless a client with `sign` writes one.
 */
import {
  type Condition,
  conditionsOf,
  csrErrors,
  optionsFor,
  type Spec,
  specOf,
  statusOf,
  updateErrors,
} from "../certificates/csr-validation.ts";
import { type KubeObject, timestamp } from "../objects.ts";
import type { KindBehaviour } from "../store.ts";

/** populateConditionTimestamps. */
function stampConditions(csr: KubeObject, old: KubeObject): void {
  const now = timestamp();
  for (const c of conditionsOf(csr)) {
    c.lastUpdateTime ||= now;
    if (!c.lastTransitionTime) {
      const same = conditionsOf(old).find(
        (o) => o.type === c.type && o.status === c.status && o.lastTransitionTime,
      );
      c.lastTransitionTime = same?.lastTransitionTime ?? now;
    }
  }
}

/** preserveConditionInstances for the status subresource. */
function preserveApproval(csr: KubeObject, old: KubeObject): void {
  const conditions = conditionsOf(csr);
  for (const type of ["Approved", "Denied"]) {
    const oldOnes = conditionsOf(old).filter((c) => c.type === type);
    const indices = conditions.flatMap((c, i) => (c.type === type ? [i] : []));
    if (oldOnes.length !== indices.length) continue;
    indices.forEach((at, n) => {
      conditions[at] = oldOnes[n]!;
    });
  }
}

export const certificatesigningrequests: KindBehaviour = {
  prepareForCreate(csr, _store, user) {
    const spec: Spec = { ...specOf(csr) };
    for (const field of ["username", "uid", "groups", "extra"]) delete spec[field];
    if (user) {
      spec.username = user.username;
      if (user.uid) spec.uid = user.uid;
      if (user.groups.length) spec.groups = [...user.groups];
      if (user.extra && Object.keys(user.extra).length) spec.extra = structuredClone(user.extra);
    }
    csr.spec = spec;
    csr.status = {};
  },
  prepareForUpdate(csr, old) {
    csr.spec = old.spec;
    csr.status = old.status;
  },
  validate(csr, old) {
    return old ? updateErrors(csr, old, {}) : csrErrors(csr, optionsFor(csr, undefined));
  },
  subresources: {
    approval: {
      prepareForUpdate(csr, old) {
        stampConditions(csr, old);
        const conditions = statusOf(csr).conditions;
        csr.spec = old.spec;
        csr.status = { ...statusOf(old) };
        if (conditions?.length) (csr.status as { conditions?: Condition[] }).conditions = conditions;
        else delete (csr.status as { conditions?: Condition[] }).conditions;
      },
      validate: (csr, old) => updateErrors(csr, old, { approve: true }),
    },
    status: {
      prepareForUpdate(csr, old) {
        csr.spec = old.spec;
        preserveApproval(csr, old);
        stampConditions(csr, old);
        csr.status ??= {};
      },
      validate: (csr, old) => updateErrors(csr, old, { certify: true }),
    },
  },
};
