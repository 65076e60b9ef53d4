import { useState } from "preact/hooks";
import { formatDuration } from "../../../shared/duration.ts";
import type { ApiError } from "../api.ts";
import { type FormErrors, formErrors } from "../field-errors.ts";
import {
  clustersOf,
  defaultDuration,
  durationChoices,
  type RequestForm as Form,
  literalNamespaces,
  requestBody,
  rolesOn,
  termsFor,
} from "../request-choices.ts";
import { useSession } from "../session-context.ts";
import type { RequestableEntitlement, RequestView } from "../types.ts";
import { ErrorMessage } from "./alert.tsx";

const FIELDS = ["cluster", "role", "namespaces", "duration", "reason"] as const;
const NO_ERRORS: FormErrors = { fields: {}, general: [] };

/**
 * The request form: its choices come from the policy (clusters and roles one may request, the
 * namespaces the rule names, durations up to its maximum); what the policy decides beyond that
 * is the API's to say, and its messages are shown beside the fields they are about.
 */
export function RequestForm(props: {
  requestable: RequestableEntitlement[];
  onCreated: (request: RequestView) => void;
}) {
  const { api } = useSession();
  const { requestable } = props;
  const [form, setForm] = useState<Form>(() => choose(requestable, { reason: "" }));
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const terms = termsFor(requestable, form.cluster, form.role);
  const durations = durationChoices(terms?.maxDurationSeconds ?? 0);
  const suggestions = literalNamespaces(terms?.namespaces ?? []);

  const set = (field: keyof Form) => (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement).value;
    setForm((old) =>
      field === "cluster" || field === "role"
        ? choose(requestable, { ...old, [field]: value, ...(field === "cluster" ? { role: "" } : {}) })
        : { ...old, [field]: value },
    );
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const created = await api.post<RequestView>("/v1/requests", requestBody(form, terms));
      setForm((old) => ({ ...old, reason: "" }));
      props.onCreated(created);
    } catch (err) {
      setErrors(formErrors(err as ApiError, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const field = (name: (typeof FIELDS)[number]) => {
    const messages = errors.fields[name] ?? [];
    const hint = `request-${name}-hint`;
    const error = `request-${name}-error`;
    return {
      id: `request-${name}`,
      "aria-invalid": messages.length > 0 ? ("true" as const) : undefined,
      "aria-describedby": [hint, messages.length > 0 ? error : ""].filter(Boolean).join(" "),
      errors: <ErrorMessage id={error} messages={messages} />,
    };
  };
  const cluster = field("cluster");
  const role = field("role");
  const namespaces = field("namespaces");
  const duration = field("duration");
  const reason = field("reason");

  return (
    <form class="request-form" onSubmit={submit} noValidate>
      <ErrorMessage messages={errors.general} />
      <div class="field">
        <label for={cluster.id}>Cluster</label>
        <select
          id={cluster.id}
          aria-invalid={cluster["aria-invalid"]}
          aria-describedby={cluster["aria-describedby"]}
          value={form.cluster}
          onChange={set("cluster")}
        >
          {clustersOf(requestable).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <p class="hint" id="request-cluster-hint">
          The clusters your policy lets you request access to.
        </p>
        {cluster.errors}
      </div>
      <div class="field">
        <label for={role.id}>Role</label>
        <select
          id={role.id}
          aria-invalid={role["aria-invalid"]}
          aria-describedby={role["aria-describedby"]}
          value={form.role}
          onChange={set("role")}
        >
          {rolesOn(requestable, form.cluster).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <p class="hint" id="request-role-hint">
          {terms ? approvalHint(terms) : ""}
        </p>
        {role.errors}
      </div>
      {terms?.scope === "cluster" ? null : (
        <div class="field">
          <label for={namespaces.id}>Namespaces</label>
          <input
            id={namespaces.id}
            type="text"
            autoComplete="off"
            list="request-namespaces-suggestions"
            aria-invalid={namespaces["aria-invalid"]}
            aria-describedby={namespaces["aria-describedby"]}
            value={form.namespaces}
            onInput={set("namespaces")}
          />
          <datalist id="request-namespaces-suggestions">
            {suggestions.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <p class="hint" id="request-namespaces-hint">
            Allowed: {terms?.namespaces.join(", ") || "none"}. Separate several with commas.
          </p>
          {namespaces.errors}
        </div>
      )}
      <div class="field">
        <label for={duration.id}>Duration</label>
        <select
          id={duration.id}
          aria-invalid={duration["aria-invalid"]}
          aria-describedby={duration["aria-describedby"]}
          value={form.duration}
          onChange={set("duration")}
        >
          {durations.map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
        <p class="hint" id="request-duration-hint">
          At most {formatDuration(terms?.maxDurationSeconds ?? 0)}; the grant starts when it is approved.
        </p>
        {duration.errors}
      </div>
      <div class="field">
        <label for={reason.id}>Reason</label>
        <textarea
          id={reason.id}
          rows={2}
          maxLength={1024}
          aria-required={terms?.reasonRequired ? "true" : undefined}
          aria-invalid={reason["aria-invalid"]}
          aria-describedby={reason["aria-describedby"]}
          value={form.reason}
          onInput={set("reason")}
        />
        <p class="hint" id="request-reason-hint">
          {terms?.reasonRequired
            ? "Required: a ticket or incident id, and why."
            : "Optional: a ticket or incident id, and why."}
        </p>
        {reason.errors}
      </div>
      <div class="actions">
        <button type="submit" disabled={busy || !terms}>
          Request access
        </button>
      </div>
    </form>
  );
}

/**
 * The form after a cluster or role choice: the role kept when the cluster offers it, the
 * namespaces typed kept (or filled in when the rule names exactly one), the duration kept
 * when still allowed.
 */
function choose(requestable: RequestableEntitlement[], partial: Partial<Form> & { reason: string }): Form {
  const cluster =
    partial.cluster && clustersOf(requestable).includes(partial.cluster)
      ? partial.cluster
      : (clustersOf(requestable)[0] ?? "");
  const roles = rolesOn(requestable, cluster);
  const role = partial.role && roles.includes(partial.role) ? partial.role : (roles[0] ?? "");
  const terms = termsFor(requestable, cluster, role);
  const choices = durationChoices(terms?.maxDurationSeconds ?? 0);
  const only = literalNamespaces(terms?.namespaces ?? []);
  return {
    cluster,
    role,
    namespaces: partial.namespaces || (terms?.namespaces.length === 1 && only.length === 1 ? only[0]! : ""),
    duration:
      partial.duration && choices.includes(partial.duration) ? partial.duration : defaultDuration(choices),
    reason: partial.reason,
  };
}

function approvalHint(terms: RequestableEntitlement): string {
  if (terms.autoApprove) return "Approved at once by policy.";
  const n = terms.approvalsRequired;
  return `Needs ${n} approval${n === 1 ? "" : "s"} from someone else.`;
}
