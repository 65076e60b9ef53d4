import { useState } from "preact/hooks";
import { DEFAULT_SINCE, type AlertFilters as Filters, SEVERITIES } from "../alert-types.ts";

const SINCE_CHOICES: [string, string][] = [
  ["1h", "the last hour"],
  ["24h", "the last 24 hours"],
  ["7d", "the last 7 days"],
  ["30d", "the last 30 days"],
];

/**
 * The Alerts page's filters, applied together (one list load and one stream per change). User
 * is offered to admins only: anyone else sees the alerts about themselves.
 */
export function AlertFilterForm(props: {
  filters: Filters;
  admin: boolean;
  clusters: string[];
  onApply: (filters: Filters) => void;
}) {
  const [form, setForm] = useState<Filters>(props.filters);
  const set = (name: keyof Filters) => (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement | HTMLSelectElement).value;
    setForm((old) => ({ ...old, [name]: value }));
  };
  const since = SINCE_CHOICES.some(([value]) => value === form.since)
    ? SINCE_CHOICES
    : [...SINCE_CHOICES, [form.since, form.since] as [string, string]];
  const clusters =
    form.cluster && !props.clusters.includes(form.cluster)
      ? [...props.clusters, form.cluster]
      : props.clusters;
  const submit = (event: Event) => {
    event.preventDefault();
    props.onApply({
      ...form,
      since: form.since || DEFAULT_SINCE,
      rule: form.rule.trim(),
      user: form.user.trim(),
    });
  };

  return (
    <form class="filters" onSubmit={submit} aria-label="Filter alerts">
      <div class="field">
        <label for="alerts-severity">Severity</label>
        <select id="alerts-severity" value={form.severity} onChange={set("severity")}>
          <option value="">any</option>
          {SEVERITIES.map((severity) => (
            <option key={severity} value={severity}>
              {severity === "critical" ? severity : `${severity} or higher`}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="alerts-rule">Rule</label>
        <input id="alerts-rule" type="text" autoComplete="off" value={form.rule} onInput={set("rule")} />
      </div>
      {props.admin ? (
        <div class="field">
          <label for="alerts-user">User</label>
          <input id="alerts-user" type="text" autoComplete="off" value={form.user} onInput={set("user")} />
        </div>
      ) : null}
      <div class="field">
        <label for="alerts-cluster">Cluster</label>
        <select id="alerts-cluster" value={form.cluster} onChange={set("cluster")}>
          <option value="">every cluster</option>
          {clusters.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="alerts-since">Since</label>
        <select id="alerts-since" value={form.since} onChange={set("since")}>
          {since.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="actions">
        <button type="submit">Apply filters</button>
      </div>
    </form>
  );
}
