/**
 * The validating admission plugins that guard CertificateSigningRequests, enabled by default in
 * kube-apiserver (plugin/pkg/admission/certificates): CertificateSubjectRestriction refuses a
 * kube-apiserver-client request for the system:masters group; CertificateApproval lets only a
 * user with `approve` on `signers` (the signer's name, or `<domain>/*`) change the approval;
 * CertificateSigning lets only one with `sign` set the certificate. They run after validation,
 * as admission does.
 */

import { KUBE_APISERVER_CLIENT_SIGNER, parseRequest } from "../certificates/csr-validation.ts";
import type { ResourceContext } from "../context.ts";
import type { KubeObject } from "../objects.ts";
import { forbidden, StatusError } from "../status.ts";
import type { WriteOptions } from "../store.ts";

const signerOf = (csr: KubeObject | undefined) =>
  String((csr?.spec as { signerName?: string })?.signerName ?? "");
const certificateOf = (csr: KubeObject | undefined) =>
  String((csr?.status as { certificate?: string } | undefined)?.certificate ?? "");

/** certificates.IsAuthorizedForSignerName: the exact signer, then its domain wildcard. */
function authorizedForSigner(ctx: ResourceContext, verb: string, signerName: string): boolean {
  const attempt = (name: string) =>
    ctx.core.authorizer.authorize({
      user: ctx.user,
      verb,
      resourceRequest: true,
      path: "",
      namespace: "",
      apiGroup: "certificates.k8s.io",
      apiVersion: "*",
      resource: "signers",
      subresource: "",
      name,
    }).allowed;
  return attempt(signerName) || attempt(`${signerName.split("/")[0]}/*`);
}

function refuse(ctx: ResourceContext, csr: KubeObject, why: string): StatusError {
  return forbidden(ctx.kind.resource, ctx.kind.group, csr.metadata.name ?? "", why);
}

export function admissionFor(ctx: ResourceContext): WriteOptions["admit"] {
  if (ctx.kind.resource !== "certificatesigningrequests") return undefined;
  switch (ctx.info.subresource) {
    case "":
      return (csr, old) => {
        if (old || signerOf(csr) !== KUBE_APISERVER_CLIENT_SIGNER) return;
        let organizations: string[];
        try {
          organizations = parseRequest(csr).organizations;
        } catch (err) {
          throw new StatusError(500, "", `unable to parse csr: ${(err as Error).message}`);
        }
        if (organizations.includes("system:masters")) {
          throw refuse(
            ctx,
            csr,
            `use of ${KUBE_APISERVER_CLIENT_SIGNER} signer with system:masters group is not allowed`,
          );
        }
      };
    case "approval":
      return (csr) => {
        // Checked against the new object, so changing the signer cannot sneak an approval through.
        if (!authorizedForSigner(ctx, "approve", signerOf(csr))) {
          throw refuse(ctx, csr, `user not permitted to approve requests with signerName "${signerOf(csr)}"`);
        }
      };
    case "status":
      return (csr, old) => {
        if (certificateOf(csr) === certificateOf(old)) return;
        if (!authorizedForSigner(ctx, "sign", signerOf(old))) {
          throw refuse(ctx, csr, `user not permitted to sign requests with signerName "${signerOf(old)}"`);
        }
      };
    default:
      return undefined;
  }
}
