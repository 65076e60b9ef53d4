import { alertWhat, type LoggedAlert, placeOf } from "../alert-types.ts";
import { Link } from "./link.tsx";
import { SeverityBadge } from "./severity-badge.tsx";
import { TableScroll } from "./table-scroll.tsx";
import { When } from "./when.tsx";

/**
 * Alerts, newest first, one row each (`data-alert-id`), the rule linking to the alert's page.
 * Rows that arrived live since the page opened are marked `fresh`.
 */
export function AlertList(props: { alerts: LoggedAlert[]; fresh: ReadonlySet<string>; now: number }) {
  return (
    <TableScroll label="Alerts">
      <table class="data alerts">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Severity</th>
            <th scope="col">Rule</th>
            <th scope="col">What</th>
            <th scope="col">User</th>
            <th scope="col">Cluster/namespace</th>
          </tr>
        </thead>
        <tbody>
          {props.alerts.map((alert) => (
            <tr
              key={alert.id}
              data-alert-id={alert.id}
              class={props.fresh.has(alert.id) ? "fresh" : undefined}
            >
              <td>
                <When at={alert.at} now={props.now} />
              </td>
              <td>
                <SeverityBadge severity={alert.severity} />
              </td>
              <td>
                <Link href={`/ui/alerts/${encodeURIComponent(alert.id)}`}>{alert.rule}</Link>
              </td>
              <td>{alertWhat(alert)}</td>
              <td>{alert.record.user}</td>
              <td>{placeOf(alert)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
