import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import type { ApiError } from "../api.ts";
import { type AuditSearch, queryString, type SearchField } from "../audit-query.ts";
import { DECISIONS } from "../audit-types.ts";
import { formErrors } from "../field-errors.ts";
import { ErrorMessage } from "./alert.tsx";
import "./audit.css";

const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "exec"];
const PAGE_SIZES = ["25", "50", "100", "200"];
export const DEFAULT_PAGE_SIZE = "50";

interface FieldSpec {
  name: SearchField;
  label: string;
  choices?: readonly string[];
  hint?: string;
  suggestions?: readonly string[];
}

const FILTERS: FieldSpec[] = [
  { name: "user", label: "User" },
  { name: "cluster", label: "Cluster" },
  { name: "namespace", label: "Namespace" },
  { name: "verb", label: "Verb", suggestions: VERBS },
  { name: "resource", label: "Resource", hint: "Plural, as kubectl says it: pods, configmaps." },
  { name: "decision", label: "Decision", choices: DECISIONS },
  { name: "type", label: "Type", choices: ["request", "lifecycle"] },
  { name: "phase", label: "Phase", choices: ["start", "end"] },
  { name: "grant", label: "Grant" },
];

// Since and until are text, not datetime-local: the API takes "1h" (that long ago) as well as
// an RFC 3339 time, and a relative one keeps its meaning in a linked URL; datetime-local gives
// a time without a zone, which the API refuses and which would mean another moment to a
// colleague in another zone.
const TIME_HINT = "1h, 7d (that long ago) or a time: 2026-03-12T14:00:00Z.";
const RANGE: FieldSpec[] = [
  { name: "since", label: "Since", hint: TIME_HINT },
  { name: "until", label: "Until", hint: TIME_HINT },
];

/**
 * The audit filters both audit pages use: exact-match fields (user only for admins: the API
 * shows others their own records), and on Audit search the time range and page size. The
 * API's refusal of a field is shown beside it; the draft is reset whenever the applied search
 * changes (a link, back and forward).
 */
export function AuditFilters(props: {
  id: string;
  value: AuditSearch;
  showUser: boolean;
  range: boolean;
  error: ApiError | undefined;
  busy: boolean;
  submitLabel: string;
  onSubmit: (search: AuditSearch) => void;
  children?: ComponentChildren;
}) {
  const [draft, setDraft] = useState<AuditSearch>(props.value);
  const applied = queryString(props.value);
  useEffect(() => setDraft(props.value), [applied]);

  const specs = [
    ...FILTERS.filter((f) => props.showUser || f.name !== "user"),
    ...(props.range ? RANGE : []),
  ];
  const shownNames = [...specs.map((f) => f.name), ...(props.range ? ["limit" as const] : [])];
  const errors = props.error ? formErrors(props.error, shownNames) : { fields: {}, general: [] };

  const submit = (event: Event) => {
    event.preventDefault();
    props.onSubmit(draft);
  };
  const clear = () => {
    const kept: AuditSearch = props.range && draft.limit ? { limit: draft.limit } : {};
    setDraft(kept);
    props.onSubmit(kept);
  };
  const set = (name: SearchField, value: string) => setDraft((old) => ({ ...old, [name]: value }));

  return (
    <form class="audit-filters" onSubmit={submit} noValidate aria-label="Filters">
      <ErrorMessage messages={errors.general} />
      <div class="filter-grid">
        {specs.map((spec) => (
          <Field
            key={spec.name}
            id={`${props.id}-${spec.name}`}
            spec={spec}
            value={draft[spec.name] ?? ""}
            errors={errors.fields[spec.name] ?? []}
            onChange={(value) => set(spec.name, value)}
          />
        ))}
        {props.range ? (
          <Field
            id={`${props.id}-limit`}
            spec={{ name: "limit", label: "Page size", choices: PAGE_SIZES }}
            value={draft.limit ?? DEFAULT_PAGE_SIZE}
            errors={errors.fields.limit ?? []}
            onChange={(value) => set("limit", value)}
          />
        ) : null}
      </div>
      <div class="actions">
        <button type="submit" disabled={props.busy}>
          {props.submitLabel}
        </button>
        <button type="button" class="secondary" disabled={props.busy} onClick={clear}>
          Clear filters
        </button>
        {props.children}
      </div>
    </form>
  );
}

/** One labelled control: a select with "any" when it has choices, else text (with suggestions). */
function Field(props: {
  id: string;
  spec: FieldSpec;
  value: string;
  errors: string[];
  onChange: (value: string) => void;
}) {
  const { id, spec } = props;
  const described = [spec.hint ? `${id}-hint` : "", props.errors.length > 0 ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  const common = {
    id,
    "aria-invalid": props.errors.length > 0 ? ("true" as const) : undefined,
    "aria-describedby": described || undefined,
  };
  return (
    <div class="field">
      <label for={id}>{spec.label}</label>
      {spec.choices ? (
        <select {...common} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
          {spec.name === "limit" ? null : <option value="">any</option>}
          {withValue(spec.choices, props.value).map((choice) => (
            <option key={choice} value={choice}>
              {choice}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type="text"
          autoComplete="off"
          spellcheck={false}
          list={spec.suggestions ? `${id}-suggestions` : undefined}
          value={props.value}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
      )}
      {spec.suggestions ? (
        <datalist id={`${id}-suggestions`}>
          {spec.suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
      ) : null}
      {spec.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {spec.hint}
        </p>
      ) : null}
      <ErrorMessage id={`${id}-error`} messages={props.errors} />
    </div>
  );
}

/** The choices, with `value` added when a link asked for one not among them (the API judges it). */
function withValue(choices: readonly string[], value: string | undefined): readonly string[] {
  return value && !choices.includes(value) ? [...choices, value] : choices;
}
