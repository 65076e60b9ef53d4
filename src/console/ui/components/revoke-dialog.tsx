import { useEffect, useRef } from "preact/hooks";
import { useSession } from "../session-context.ts";
import type { GrantView } from "../types.ts";
import { useAction } from "../use-action.ts";
import { ErrorMessage } from "./alert.tsx";

/**
 * The revoke confirmation: a modal <dialog> (focus moves in, Escape closes it, the page behind
 * is inert), opened for one grant; Cancel takes the focus so Enter does not revoke.
 */
export function RevokeDialog(props: { grant: GrantView | undefined; onClose: (revoked: boolean) => void }) {
  const { api } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const { busy, error, run, clear } = useAction();
  const { grant, onClose } = props;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (grant && !element.open) {
      clear();
      element.showModal();
      cancel.current?.focus();
    } else if (!grant && element.open) element.close();
  }, [grant]);

  const confirm = () =>
    run(async () => {
      if (!grant) return;
      await api.delete(`/v1/grants/${encodeURIComponent(grant.id)}`);
      dialog.current?.close();
      onClose(true);
    });

  return (
    <dialog ref={dialog} aria-labelledby="revoke-title" onClose={() => grant && onClose(false)}>
      <h2 id="revoke-title">Revoke this grant?</h2>
      {grant ? (
        <p>
          {grant.user} loses {grant.role} on {grant.cluster}
          {grant.namespaces.length > 0 ? ` (${grant.namespaces.join(", ")})` : ""} now: its credentials stop
          working and its open connections are closed.
        </p>
      ) : null}
      <ErrorMessage messages={error ? [error.message] : []} />
      <div class="actions">
        <button type="button" class="secondary" ref={cancel} onClick={() => dialog.current?.close()}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={busy} onClick={confirm}>
          Confirm revoke
        </button>
      </div>
    </dialog>
  );
}
