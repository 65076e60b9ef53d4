import { useState } from "preact/hooks";
import type { SessionField, SessionSearch } from "../recording-types.ts";
import { useClusters } from "../use-clusters.ts";
import { ErrorMessage } from "./alert.tsx";

interface FieldSpec {
  name: SessionField;
  label: string;
  hint?: string;
}

const TEXT: FieldSpec = {
  name: "q",
  label: "Typed text",
  hint: "Sessions in which someone typed this (part of a line, any case): rm -rf, psql.",
};
const PLACE: FieldSpec[] = [
  { name: "namespace", label: "Namespace" },
  { name: "pod", label: "Pod" },
];
const SINCE: FieldSpec = {
  name: "since",
  label: "Since",
  hint: "7d when empty; 1h, 30d (that long ago) or a time: 2026-03-12T14:00:00Z.",
};

/**
 * The Sessions page's search: the text typed, then the filters (user for admins only: anyone
 * else sees their own sessions), applied together. The parent keys it by the URL's search, so
 * the draft starts again from what a link, back or forward shows.
 */
export function SessionFilters(props: {
  value: SessionSearch;
  showUser: boolean;
  errors: Record<string, string[]>;
  onApply: (search: SessionSearch) => void;
}) {
  const [draft, setDraft] = useState<SessionSearch>(props.value);
  const clusters = useClusters();
  const set = (name: SessionField, value: string) => setDraft((old) => ({ ...old, [name]: value }));
  const choices =
    draft.cluster && !clusters.includes(draft.cluster) ? [...clusters, draft.cluster] : clusters;
  const submit = (event: Event) => {
    event.preventDefault();
    props.onApply(draft);
  };
  const field = (spec: FieldSpec) => (
    <TextField
      key={spec.name}
      spec={spec}
      value={draft[spec.name] ?? ""}
      errors={props.errors[spec.name] ?? []}
      onChange={(value) => set(spec.name, value)}
    />
  );

  return (
    <form class="session-search" onSubmit={submit} noValidate aria-label="Search sessions">
      {field(TEXT)}
      <div class="filters">
        {props.showUser ? field({ name: "user", label: "User" }) : null}
        <div class="field">
          <label for="sessions-cluster">Cluster</label>
          <select
            id="sessions-cluster"
            value={draft.cluster ?? ""}
            onChange={(e) => set("cluster", e.currentTarget.value)}
          >
            <option value="">every cluster</option>
            {choices.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
          <ErrorMessage id="sessions-cluster-error" messages={props.errors.cluster ?? []} />
        </div>
        {PLACE.map(field)}
        {field(SINCE)}
      </div>
      <div class="actions">
        <button type="submit">Search</button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setDraft({});
            props.onApply({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}

function TextField(props: {
  spec: FieldSpec;
  value: string;
  errors: string[];
  onChange: (value: string) => void;
}) {
  const { spec } = props;
  const id = `sessions-${spec.name}`;
  const described = [spec.hint ? `${id}-hint` : "", props.errors.length > 0 ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <div class="field">
      <label for={id}>{spec.label}</label>
      <input
        id={id}
        type="text"
        autoComplete="off"
        spellcheck={false}
        value={props.value}
        aria-invalid={props.errors.length > 0 ? "true" : undefined}
        aria-describedby={described || undefined}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
      {spec.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {spec.hint}
        </p>
      ) : null}
      <ErrorMessage id={`${id}-error`} messages={props.errors} />
    </div>
  );
}
