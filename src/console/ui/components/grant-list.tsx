import { useEffect, useRef, useState } from "preact/hooks";
import { kubeconfigCommand } from "../kubectl-command.ts";
import type { GrantView } from "../types.ts";
import { useNow } from "../use-now.ts";
import { CopyCommand } from "./copy-command.tsx";
import { Link } from "./link.tsx";
import { RevokeDialog } from "./revoke-dialog.tsx";
import { TimeLeft, When } from "./when.tsx";

/** Active grants, each with its countdown, its kubeconfig command and a Revoke that asks first. */
export function GrantList(props: { grants: GrantView[]; showUser: boolean; onChange: () => void }) {
  const now = useNow();
  const [revoking, setRevoking] = useState<GrantView | undefined>(undefined);
  const [notice, setNotice] = useState({ text: "", count: 0 });
  const noticeRef = useRef<HTMLParagraphElement>(null);

  // The revoked grant's row (and its button, which had the focus) goes: the focus goes to the notice.
  useEffect(() => {
    if (notice.count > 0) noticeRef.current?.focus();
  }, [notice]);

  const closed = (revoked: boolean) => {
    const grant = revoking;
    setRevoking(undefined);
    if (!revoked || !grant) return;
    setNotice((old) => ({ text: `Revoked ${grant.role} on ${grant.cluster}.`, count: old.count + 1 }));
    props.onChange();
  };

  return (
    <div>
      <p class="notice" role="status" tabIndex={-1} ref={noticeRef}>
        {notice.text}
      </p>
      {props.grants.length === 0 ? (
        <p>No active grants.</p>
      ) : (
        <ul class="cards">
          {props.grants.map((grant) => (
            <li key={grant.id} class="card" data-grant-id={grant.id}>
              <h3>
                {grant.role} on {grant.cluster}
              </h3>
              <dl>
                {props.showUser ? (
                  <>
                    <dt>Holder</dt>
                    <dd>{grant.user}</dd>
                  </>
                ) : null}
                <dt>Namespaces</dt>
                <dd>{grantNamespaces(grant)}</dd>
                <dt>Time left</dt>
                <dd>
                  <TimeLeft expiresAt={grant.expiresAt} now={now} />
                </dd>
                <dt>Ends</dt>
                <dd>
                  <When at={grant.expiresAt} now={now} />
                </dd>
                <dt>From</dt>
                <dd>
                  {grant.origin}
                  {grant.requestId ? (
                    <>
                      {" "}
                      (
                      <Link href={`/ui/requests/${encodeURIComponent(grant.requestId)}`}>
                        view the request
                      </Link>
                      )
                    </>
                  ) : null}
                  {grant.state === "pending-provision" ? ", being set up" : ""}
                </dd>
                {grant.reason ? (
                  <>
                    <dt>Reason</dt>
                    <dd>{grant.reason}</dd>
                  </>
                ) : null}
              </dl>
              <CopyCommand
                command={kubeconfigCommand({
                  cluster: grant.cluster,
                  role: grant.role,
                  namespaces: grant.namespacePatterns ? [] : grant.namespaces,
                })}
              />
              <div class="actions">
                <button type="button" class="danger" onClick={() => setRevoking(grant)}>
                  Revoke
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      <RevokeDialog grant={revoking} onClose={closed} />
    </div>
  );
}

function grantNamespaces(grant: GrantView): string {
  if (grant.clusterWide) return "cluster-wide";
  if (grant.namespacePatterns) return `${grant.namespacePatterns.join(", ")} (as namespaces come and go)`;
  return grant.namespaces.join(", ") || "none";
}
