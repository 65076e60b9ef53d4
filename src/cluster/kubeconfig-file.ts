import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { ServerTrust } from "./kube-connection.ts";

/** A kubeconfig user's credentials, as written (paths made absolute). */
export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
  clientCertificate?: Buffer;
  clientKey?: Buffer;
  /** exec, auth-provider or username/password: run by client-node's KubeConfig (kube-plugin.ts). */
  plugin: boolean;
}

/** The context a kubeconfig selects: its server, how it is trusted, and its user. */
export interface KubeconfigSelection {
  /** The files read, in order (the first to set a name wins, as with kubectl). */
  files: string[];
  context: string;
  trust: ServerTrust;
  user: KubeconfigUser;
}

/** One entry of a kubeconfig's clusters, users or contexts list. */
interface Entry {
  name?: string;
  cluster?: unknown;
  user?: unknown;
  context?: unknown;
}

/**
 * The files the default loading rules name: each of $KUBECONFIG's (those that exist), else
 * ~/.kube/config. None: the caller falls back to the pod's own service account.
 */
export function defaultKubeconfigFiles(env: NodeJS.ProcessEnv): string[] {
  const listed = (env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  if (listed.length > 0) return listed.filter((file) => existsSync(file));
  const home = join(env.HOME ?? homedir(), ".kube", "config");
  return existsSync(home) ? [home] : [];
}

/**
 * Reads the kubeconfig `files` (merged as kubectl merges them) and resolves `context` (its
 * current context when none is named) to a server and a user. Paths inside a file are taken
 * relative to that file, as kubectl takes them.
 */
export function readKubeconfig(files: string[], context?: string): KubeconfigSelection {
  const clusters = new Map<string, { cluster: Record<string, unknown>; dir: string }>();
  const users = new Map<string, { user: Record<string, unknown>; dir: string }>();
  const contexts = new Map<string, Record<string, unknown>>();
  let current: string | undefined;
  for (const file of files) {
    const doc = readDocument(file);
    const dir = dirname(resolve(file));
    for (const entry of list(doc.clusters)) {
      if (entry.name && !clusters.has(entry.name))
        clusters.set(entry.name, { cluster: record(entry.cluster), dir });
    }
    for (const entry of list(doc.users)) {
      if (entry.name && !users.has(entry.name)) users.set(entry.name, { user: record(entry.user), dir });
    }
    for (const entry of list(doc.contexts)) {
      if (entry.name && !contexts.has(entry.name)) contexts.set(entry.name, record(entry.context));
    }
    current ??=
      typeof doc["current-context"] === "string" && doc["current-context"]
        ? doc["current-context"]
        : undefined;
  }
  const name = context ?? current;
  const where = `kubeconfig ${files.join(delimiter)}`;
  if (!name) throw new Error(`${where}: no current context`);
  const selected = contexts.get(name);
  if (!selected) throw new Error(`${where}: no context "${name}"`);
  const cluster = clusters.get(String(selected.cluster ?? ""));
  if (!cluster) throw new Error(`${where}: context "${name}" names no known cluster`);
  const user = users.get(String(selected.user ?? "")) ?? { user: {}, dir: cluster.dir };
  return {
    files,
    context: name,
    trust: trustOf(cluster.cluster, cluster.dir, where),
    user: userOf(user.user, user.dir),
  };
}

function trustOf(cluster: Record<string, unknown>, dir: string, where: string): ServerTrust {
  const server = cluster.server;
  if (typeof server !== "string" || !server) throw new Error(`${where}: the cluster has no server`);
  return {
    server: new URL(server),
    ca: bytes(cluster["certificate-authority-data"], cluster["certificate-authority"], dir),
    rejectUnauthorized: cluster["insecure-skip-tls-verify"] !== true,
    tlsServerName: typeof cluster["tls-server-name"] === "string" ? cluster["tls-server-name"] : undefined,
  };
}

function userOf(user: Record<string, unknown>, dir: string): KubeconfigUser {
  const tokenFile = user.tokenFile ?? user["token-file"];
  return {
    ...(typeof user.token === "string" && user.token ? { token: user.token } : {}),
    ...(typeof tokenFile === "string" && tokenFile ? { tokenFile: absolute(tokenFile, dir) } : {}),
    ...optional("clientCertificate", bytes(user["client-certificate-data"], user["client-certificate"], dir)),
    ...optional("clientKey", bytes(user["client-key-data"], user["client-key"], dir)),
    plugin: Boolean(user.exec || user["auth-provider"] || user.username || user.password),
  };
}

/** One kubeconfig file as YAML, or an error that names the file. */
function readDocument(file: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`kubeconfig ${file}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc)))
    throw new Error(
      `kubeconfig ${file}: not a kubeconfig (a YAML mapping with clusters, users and contexts)`,
    );
  return (doc ?? {}) as Record<string, unknown>;
}

/** Base64 data, or else the file it names. */
function bytes(data: unknown, file: unknown, dir: string): Buffer | undefined {
  if (typeof data === "string" && data) return Buffer.from(data, "base64");
  if (typeof file === "string" && file) return readFileSync(absolute(file, dir));
  return undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function absolute(path: string, dir: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

function list(value: unknown): Entry[] {
  return Array.isArray(value) ? value.filter((v): v is Entry => typeof v === "object" && v !== null) : [];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}
