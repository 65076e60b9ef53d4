import { useState } from "preact/hooks";
import { type AuditSearch, collectAll, jsonLines, queryString, without } from "../audit-query.ts";
import type { AuditPage } from "../audit-types.ts";
import { useSession } from "../session-context.ts";
import { useAction } from "../use-action.ts";
import { ErrorMessage } from "./alert.tsx";

/** The most records one download collects: past this, the browser holds too much at once. */
export const DOWNLOAD_CAP = 50_000;

/**
 * "Download JSON lines": every record the search matches (all pages, start entries included:
 * it is the log itself, as `kubectl broker audit export` writes it), newest first, up to
 * DOWNLOAD_CAP, saved as a .jsonl file made in the browser.
 */
export function AuditDownload(props: { search: AuditSearch }) {
  const { api } = useSession();
  const { busy, error, run } = useAction();
  const [status, setStatus] = useState("");
  const search = without(props.search, "after", "limit");

  const download = () =>
    run(async () => {
      setStatus("Collecting records…");
      const { records, capped } = await collectAll(
        (after, limit) =>
          api.get<AuditPage>(
            `/v1/audit?${queryString(search, { order: "desc", limit: String(limit), ...(after ? { after } : {}) })}`,
          ),
        DOWNLOAD_CAP,
        (count) => setStatus(`Collecting records… ${count.toLocaleString()} so far`),
      );
      save(jsonLines(records), `audit-${new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`);
      setStatus(
        capped
          ? `Downloaded the newest ${records.length.toLocaleString()} records, the most one download holds; narrow the filters or use kubectl broker audit export for the rest.`
          : `Downloaded ${records.length.toLocaleString()} record${records.length === 1 ? "" : "s"}.`,
      );
    });

  return (
    <div class="audit-download">
      <button type="button" class="secondary" disabled={busy} onClick={download}>
        Download JSON lines
      </button>
      <p class="hint" role="status" data-testid="download-status">
        {error ? "" : status}
      </p>
      <ErrorMessage messages={error ? [`The download failed: ${error.message}`] : []} />
    </div>
  );
}

/** Hands `text` to the browser as a file download (a link to a blob: URL, clicked). */
function save(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "application/x-ndjson" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the blob once the download starts; a minute is plenty.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
