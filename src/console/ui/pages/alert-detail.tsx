import "./alerts-reports.css";
import type { ComponentChildren } from "preact";
import { formatDuration } from "../../../shared/duration.ts";
import {
  type AuditItem,
  actionOutcome,
  actionRecordsPath,
  alertWhat,
  type LoggedAlert,
  placeOf,
} from "../alert-types.ts";
import { CopyCommand } from "../components/copy-command.tsx";
import { Link } from "../components/link.tsx";
import { Loaded } from "../components/loading.tsx";
import { PageTitle } from "../components/page-title.tsx";
import { SeverityBadge } from "../components/severity-badge.tsx";
import { When } from "../components/when.tsx";
import { useSession } from "../session-context.ts";
import type { List } from "../types.ts";
import { useNow } from "../use-now.ts";
import { useResource } from "../use-resource.ts";

/** How often to look for the action's outcome while it is not recorded yet. */
const OUTCOME_POLL_MS = 5000;

/**
 * /ui/alerts/<id>, where every delivered alert links (through /v1/alerts/<id>): the rule and
 * why it fired, the record that fired it, and what the rule's action did. An alert that is
 * not there, or not the viewer's to see, shows the API's 404 message.
 */
export function AlertDetailPage(props: { id: string }) {
  const { api } = useSession();
  const alert = useResource(
    () => api.get<LoggedAlert>(`/v1/alerts/${encodeURIComponent(props.id)}`),
    props.id,
  );
  return (
    <>
      {/* An alert id is a long unbroken word: it wraps rather than widening a phone's page. */}
      <div class="long-title">
        <PageTitle title={`Alert ${props.id}`} />
      </div>
      <p>
        <Link href="/ui/alerts">All alerts</Link>
      </p>
      <Loaded resource={alert}>{(view) => <AlertView alert={view} />}</Loaded>
    </>
  );
}

/** A term and its description, left out when there is nothing to say. */
function Row(props: { term: string; children: ComponentChildren; when?: unknown }) {
  if (props.when === "" || props.when === undefined || props.when === false) return null;
  return (
    <>
      <dt>{props.term}</dt>
      <dd>{props.children}</dd>
    </>
  );
}

function AlertView(props: { alert: LoggedAlert }) {
  const { alert } = props;
  const { record } = alert;
  const now = useNow();
  return (
    <div class="alert-detail" data-alert-id={alert.id}>
      <section aria-labelledby="alert-what">
        <h2 id="alert-what">
          <SeverityBadge severity={alert.severity} /> {alert.rule}
        </h2>
        <p class="description">{alert.description}</p>
        <dl>
          <Row term="What happened" when={true}>
            {record.user || "someone"}: {alertWhat(alert)}
          </Row>
          <Row term="When" when={true}>
            <When at={alert.at} now={now} />
          </Row>
          <Row term="Where" when={placeOf(alert)}>
            {placeOf(alert)}
          </Row>
          <Row term="Threshold" when={alert.group}>
            {alert.group
              ? `${alert.group.count} within ${formatDuration(alert.group.windowSeconds)} for ${alert.group.field}=${alert.group.value}`
              : ""}
          </Row>
          <Row term="First seen" when={alert.firstSeen}>
            {alert.firstSeen
              ? `${alert.firstSeen.field} ${alert.firstSeen.value}, not seen for this user in ${alert.firstSeen.days} days`
              : ""}
          </Row>
          <Row term="Alert id" when={true}>
            <code>{alert.id}</code>
          </Row>
        </dl>
      </section>
      <RecordSection alert={alert} />
      <ActionSection alert={alert} />
    </div>
  );
}

/** The audit trail's search for this record's grant (or, without one, its person and cluster). */
function auditLink(alert: LoggedAlert): string {
  const { record } = alert;
  const params = new URLSearchParams(
    record.grant ? { grant: record.grant } : { user: record.user, cluster: record.cluster },
  );
  return `/ui/audit?${params}`;
}

function RecordSection(props: { alert: LoggedAlert }) {
  const { record } = props.alert;
  return (
    <section aria-labelledby="alert-record">
      <h2 id="alert-record">The record that fired it</h2>
      <dl>
        <Row term="User" when={record.user}>
          {record.user}
        </Row>
        <Row term="Groups" when={record.groups}>
          {record.groups}
        </Row>
        <Row term="Cluster" when={record.cluster}>
          {record.cluster}
        </Row>
        <Row term="Namespace" when={record.namespace}>
          {record.namespace}
        </Row>
        {record.type === "request" ? (
          <>
            <Row term="Request" when={true}>
              {record.verb} {record.path}
            </Row>
            <Row term="Resource" when={record.resource}>
              {[record.resource, record.subresource].filter(Boolean).join("/")}
              {record.name ? ` ${record.name}` : ""}
            </Row>
            <Row term="Decision" when={true}>
              {record.decision}
              {record.status ? ` (HTTP ${record.status})` : ""}
            </Row>
            <Row term="Source IP" when={record.sourceIp}>
              {record.sourceIp}
            </Row>
          </>
        ) : (
          <>
            <Row term="Event" when={true}>
              {record.event}
            </Row>
            <Row term="Access request" when={record.request}>
              <Link href={`/ui/requests/${encodeURIComponent(record.request)}`}>{record.request}</Link>
            </Row>
          </>
        )}
        <Row term="Detail" when={record.detail}>
          {record.detail}
        </Row>
        <Row term="Role" when={record.role}>
          {record.role}
        </Row>
        <Row term="Grant" when={record.grant}>
          {record.grant}
          {record.grantKind ? ` (${record.grantKind})` : ""}
        </Row>
        <Row term="Record id" when={true}>
          <code>{record.id}</code>
        </Row>
      </dl>
      {record.type === "request" && record.kubectlCommand ? (
        <>
          <p class="hint">The kubectl command that sent the request:</p>
          <CopyCommand command={record.kubectlCommand} />
        </>
      ) : null}
      <p>
        <Link href={auditLink(props.alert)}>See it in the audit trail</Link>
      </p>
    </section>
  );
}

function ActionSection(props: { alert: LoggedAlert }) {
  const { action } = props.alert;
  return (
    <section aria-labelledby="alert-action">
      <h2 id="alert-action">Automatic response</h2>
      {action ? (
        <dl>
          <dt>Action</dt>
          <dd>
            {action.kind}
            {action.dryRun ? " (dry run: said what it would do, did nothing)" : ""}
          </dd>
          <dt>Outcome</dt>
          <dd data-testid="action-outcome">
            <Outcome alert={props.alert} />
          </dd>
        </dl>
      ) : (
        <p>The rule takes no action: the alert only tells.</p>
      )}
    </section>
  );
}

/** The action's outcome, from its `alert.action` audit record; looked for again until it is there. */
function Outcome(props: { alert: LoggedAlert }) {
  const { api } = useSession();
  const records = useResource(
    () => api.get<List<AuditItem>>(actionRecordsPath(props.alert)),
    props.alert.id,
    OUTCOME_POLL_MS,
  );
  return (
    <Loaded resource={records}>
      {(list) => actionOutcome(list.items, props.alert) ?? "not recorded yet (the alert is being dispatched)"}
    </Loaded>
  );
}
