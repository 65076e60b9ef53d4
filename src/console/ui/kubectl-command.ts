/**
 * The `kubectl broker kubeconfig` command that sets up a context for an entry. Namespace
 * globs ("team-*") are not namespaces: without -n, a namespaced role reaches every namespace
 * the person's rules allow, so globs are left out rather than written as flags.
 */
export function kubeconfigCommand(entry: { cluster: string; role: string; namespaces: readonly string[] }) {
  const namespaces = entry.namespaces.filter((namespace) => !/[*?[\]]/.test(namespace));
  return [
    "kubectl broker kubeconfig",
    `--cluster ${quote(entry.cluster)}`,
    `--role ${quote(entry.role)}`,
    ...namespaces.map((namespace) => `-n ${quote(namespace)}`),
  ].join(" ");
}

/** Names are DNS labels in practice; anything else is quoted for a POSIX shell. */
function quote(word: string): string {
  return /^[A-Za-z0-9._:/@=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
