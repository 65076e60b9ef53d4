import { decisionClass, outcomeOf, resourceOf, verbOf } from "../audit-cells.ts";
import type { AuditRecord } from "../audit-types.ts";
import { mayHaveRecording, sessionPath } from "../recording-types.ts";
import { Link } from "./link.tsx";
import "./audit.css";

const TIME_OF_DAY = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
const DATE_AND_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

/**
 * Audit records, one row each, newest first as given; every row has its Details button, and an
 * exec or attach its "Play recording" link (the recording has the record's id). At
 * phone width the rows stack (each cell labelled), so nothing scrolls sideways.
 */
export function AuditTable(props: {
  label: string;
  records: readonly AuditRecord[];
  /** With the date (search results) or the time of day only (the live Activity list). */
  dates: boolean;
  onDetails: (record: AuditRecord) => void;
}) {
  const format = props.dates ? DATE_AND_TIME : TIME_OF_DAY;
  return (
    <table class="audit-table" aria-label={props.label}>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">User</th>
          <th scope="col">Verb</th>
          <th scope="col">Resource / name</th>
          <th scope="col">Namespace</th>
          <th scope="col">Cluster</th>
          <th scope="col">Decision</th>
          <th scope="col">Grant</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {props.records.map((record) => {
          const { resource, name } = resourceOf(record);
          return (
            <tr key={record.id || record.streamId} data-record-id={record.id} class={decisionClass(record)}>
              <td data-label="Time">
                <time dateTime={record.ts}>{formatTs(format, record.ts)}</time>
              </td>
              <td data-label="User">{record.user || "—"}</td>
              <td data-label="Verb">{verbOf(record)}</td>
              <td data-label="Resource" class="breakable">
                {resource}
                {name ? <span class="object-name"> {name}</span> : null}
              </td>
              <td data-label="Namespace">{record.namespace || "—"}</td>
              <td data-label="Cluster">{record.cluster || "—"}</td>
              <td data-label="Decision" class="outcome breakable">
                <span class="clamped">{outcomeOf(record)}</span>
              </td>
              <td data-label="Grant" class="breakable">
                {record.grant ? (
                  <Link
                    href={`/ui/audit?grant=${encodeURIComponent(record.grant)}`}
                    title="Search this grant's records"
                  >
                    {record.grant}
                  </Link>
                ) : (
                  "—"
                )}
              </td>
              <td class="row-actions">
                {mayHaveRecording(record) ? (
                  <Link class="play-link" href={sessionPath(record.id)}>
                    Play recording
                  </Link>
                ) : null}
                <button type="button" class="secondary" onClick={() => props.onDetails(record)}>
                  Details
                </button>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function formatTs(format: Intl.DateTimeFormat, ts: string): string {
  const at = Date.parse(ts);
  return Number.isNaN(at) ? ts || "—" : format.format(at);
}
