import { type Document, isMap, isSeq, parseDocument } from "yaml";
import { CliError } from "../cli-error.ts";

/** The three named entries a kube-broker context consists of. */
export interface KubeconfigEntries {
  cluster: { name: string; cluster: Record<string, unknown> };
  user: { name: string; user: Record<string, unknown> };
  context: { name: string; context: Record<string, unknown> };
}

const EMPTY_KUBECONFIG = "apiVersion: v1\nkind: Config\npreferences: {}\n";

/**
 * Adds (or replaces, by name) our cluster, user and context in a kubeconfig's text. It edits
 * the YAML document rather than re-serialising a parsed object, so every other entry, the
 * order and the comments stay as they were.
 */
export function mergeKubeconfig(
  text: string,
  entries: KubeconfigEntries,
  options: { makeCurrent: boolean },
): string {
  let doc = parseDocument(text);
  if (doc.errors.length) {
    throw new CliError(
      `the kubeconfig is not valid YAML (${doc.errors[0]!.message.split("\n")[0]}); nothing was changed`,
    );
  }
  // An empty (or comments-only) file: start from what kubectl itself would write.
  if (doc.contents === null || doc.toJS() == null) doc = parseDocument(EMPTY_KUBECONFIG);
  if (!isMap(doc.contents)) throw new CliError("the kubeconfig is not a YAML mapping; nothing was changed");
  upsert(doc, "clusters", entries.cluster);
  upsert(doc, "users", entries.user);
  upsert(doc, "contexts", entries.context);
  if (options.makeCurrent || !doc.get("current-context")) doc.set("current-context", entries.context.name);
  return doc.toString();
}

function upsert(doc: Document, listName: string, entry: { name: string }): void {
  let list = doc.get(listName);
  if (list == null) {
    doc.set(listName, doc.createNode([]));
    list = doc.get(listName);
  }
  if (!isSeq(list)) throw new CliError(`the kubeconfig's ${listName} is not a list; nothing was changed`);
  const node = doc.createNode(entry);
  const index = list.items.findIndex((item) => isMap(item) && item.get("name") === entry.name);
  if (index >= 0) list.items[index] = node;
  else list.items.push(node);
}
