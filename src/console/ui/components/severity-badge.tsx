/**
 * A severity as a word in a badge: the word carries the meaning (never the colour alone); the
 * colour only helps a scanning eye. Alerts (info, warning, critical) and RBAC findings
 * (medium, high, critical, drift) share it.
 */
export function SeverityBadge(props: { severity: string }) {
  return <span class={`severity severity-${props.severity}`}>{props.severity}</span>;
}
