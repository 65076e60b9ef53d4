import { useEffect, useRef } from "preact/hooks";
import { outcomeOf, verbOf } from "../audit-cells.ts";
import type { AuditRecord } from "../audit-types.ts";
import { mayHaveRecording, sessionPath } from "../recording-types.ts";
import { Link } from "./link.tsx";
import "./audit.css";

/**
 * Every field of one audit record, in a modal <dialog> (focus moves in, Escape closes it, the
 * page behind is inert). Closing gives the focus back to what opened it (the row's Details
 * button), when that is still on the page: a live list may have moved on.
 */
export function RecordDetails(props: { record: AuditRecord | undefined; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const { record, onClose } = props;

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (record && !element.open) {
      opener.current = document.activeElement as HTMLElement | null;
      element.showModal();
      close.current?.focus();
    } else if (!record && element.open) element.close();
  }, [record]);

  const closed = () => {
    const back = opener.current;
    opener.current = null;
    if (back?.isConnected) back.focus();
    onClose();
  };

  return (
    <dialog ref={dialog} class="record-dialog" aria-labelledby="record-title" onClose={closed}>
      <h2 id="record-title">Audit record</h2>
      {record ? (
        <>
          <p>
            {verbOf(record)} by {record.user || "no one known"}: {outcomeOf(record)}
          </p>
          {mayHaveRecording(record) ? (
            <p>
              <Link href={sessionPath(record.id)}>Play recording</Link>
            </p>
          ) : null}
          <dl class="record-fields" data-testid="record-fields">
            {Object.entries(record).map(([field, value]) => (
              <RecordField key={field} field={field} value={value} />
            ))}
          </dl>
        </>
      ) : null}
      <div class="actions">
        <button type="button" ref={close} onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}

function RecordField(props: { field: string; value: unknown }) {
  const text = typeof props.value === "string" ? props.value : JSON.stringify(props.value);
  return (
    <>
      <dt>{props.field}</dt>
      <dd class={text ? undefined : "blank"}>{text || "—"}</dd>
    </>
  );
}
