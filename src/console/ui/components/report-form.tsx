import { useState } from "preact/hooks";
import type { FormErrors } from "../field-errors.ts";
import type { ParamSpec, ReportParams } from "../report-specs.ts";
import { ErrorMessage } from "./alert.tsx";

/**
 * A report's parameters as labelled fields, each with its hint and the API's message about it;
 * submitting asks for the report with them. Window fields start at the API's default.
 */
export function ReportForm(props: {
  kind: string;
  params: ParamSpec[];
  values: ReportParams;
  clusters: string[];
  errors: FormErrors;
  busy: boolean;
  onSubmit: (values: ReportParams) => void;
}) {
  const [values, setValues] = useState<ReportParams>(() => {
    const start: ReportParams = {};
    for (const param of props.params) start[param.name] = props.values[param.name] ?? param.default ?? "";
    return start;
  });
  const submit = (event: Event) => {
    event.preventDefault();
    props.onSubmit(values);
  };
  return (
    <form class="report-form" onSubmit={submit} noValidate aria-label="Report parameters">
      <ErrorMessage messages={props.errors.general} />
      <div class="report-fields">
        {props.params.map((param) => (
          <Field
            key={param.name}
            id={`report-${props.kind}-${param.name}`}
            param={param}
            value={values[param.name] ?? ""}
            clusters={props.clusters}
            errors={props.errors.fields[param.name] ?? []}
            onChange={(value) => setValues((old) => ({ ...old, [param.name]: value }))}
          />
        ))}
      </div>
      <div class="actions">
        <button type="submit" disabled={props.busy}>
          Show report
        </button>
      </div>
    </form>
  );
}

function Field(props: {
  id: string;
  param: ParamSpec;
  value: string;
  clusters: string[];
  errors: string[];
  onChange: (value: string) => void;
}) {
  const { id, param, value } = props;
  const invalid = props.errors.length > 0;
  const control = {
    id,
    "aria-invalid": invalid ? ("true" as const) : undefined,
    "aria-describedby": `${id}-hint${invalid ? ` ${id}-error` : ""}`,
    "aria-required": param.required ? ("true" as const) : undefined,
  };
  const changed = (event: Event) => props.onChange((event.currentTarget as HTMLInputElement).value);
  // A cluster named in the URL stays selectable before (or without) the list of clusters.
  const clusters = value && !props.clusters.includes(value) ? [...props.clusters, value] : props.clusters;
  return (
    <div class="field">
      <label for={id}>{param.label}</label>
      {param.kind === "cluster" ? (
        <select {...control} value={value} onChange={changed}>
          {param.required ? (
            value ? null : (
              <option value="">choose a cluster</option>
            )
          ) : (
            <option value="">every cluster</option>
          )}
          {clusters.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      ) : (
        <input {...control} type="text" autoComplete="off" value={value} onInput={changed} />
      )}
      <p class="hint" id={`${id}-hint`}>
        {param.hint}
      </p>
      <ErrorMessage id={`${id}-error`} messages={props.errors} />
    </div>
  );
}
