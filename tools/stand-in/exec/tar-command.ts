/**
 * `tar` as kubectl cp runs it (staging/src/k8s.io/kubectl/pkg/cmd/cp/cp.go): `tar cf - PATH`
 * to copy out of a pod, `tar [--no-same-permissions --no-same-owner] -xmf - [-C DIR]` to copy
 * in. Messages and exit codes are GNU tar's: the leading "/" removed from member names with a
 * note on stderr, a missing path is "Cannot stat" and exit 2.
 */
import { posix } from "node:path";
import type { ExecIo } from "./commands.ts";
import { PodFilesystem } from "./pod-files.ts";
import { decodeTar, encodeTar, type TarEntry } from "./tar.ts";

interface TarArgs {
  mode: "c" | "x" | undefined;
  file: string | undefined;
  directory: string;
  paths: string[];
}

/** Old-style bundles ("cf"), short bundles ("-xmf"), -C DIR and long options (ignored but -C's). */
function parseArgs(args: string[]): TarArgs {
  const parsed: TarArgs = { mode: undefined, file: undefined, directory: "/", paths: [] };
  const rest = [...args];
  const takeBundle = (letters: string) => {
    for (const letter of letters) {
      if (letter === "c" || letter === "x") parsed.mode = letter;
      else if (letter === "f") parsed.file = rest.shift();
      else if (letter === "C") parsed.directory = rest.shift() ?? "/";
    }
  };
  if (rest[0] && !rest[0].startsWith("-")) takeBundle(rest.shift()!);
  while (rest.length > 0) {
    const arg = rest.shift()!;
    if (arg.startsWith("--directory=")) parsed.directory = arg.slice("--directory=".length);
    else if (arg.startsWith("--")) continue;
    else if (arg.startsWith("-") && arg.length > 1) takeBundle(arg.slice(1));
    else parsed.paths.push(arg);
  }
  return parsed;
}

function fail(io: ExecIo, messages: string[]): number {
  io.stderr(messages.map((m) => `tar: ${m}\n`).join(""));
  return 2;
}

function create(args: TarArgs, io: ExecIo): number {
  const entries: TarEntry[] = [];
  const errors: string[] = [];
  let strippedSlash = false;
  for (const path of args.paths) {
    const root = PodFilesystem.resolve(path, args.directory);
    if (!io.files.stat(root)) {
      errors.push(`${path}: Cannot stat: No such file or directory`);
      continue;
    }
    // Members are named as given, so `tar cf - /etc/hostname` holds "etc/hostname".
    const given = posix.normalize(path).replace(/\/+$/, "") || "/";
    strippedSlash ||= given.startsWith("/");
    for (const [full, entry] of io.files.walk(root)) {
      const name = `${given}${full.slice(root.length)}`.replace(/^\/+/, "");
      if (!name) continue;
      entries.push({ name, ...entry, data: entry.type === "file" ? entry.data : Buffer.alloc(0) });
    }
  }
  if (strippedSlash) io.stderr("tar: Removing leading `/' from member names\n");
  io.stdout(encodeTar(entries));
  if (errors.length === 0) return 0;
  return fail(io, [...errors, "Exiting with failure status due to previous errors"]);
}

async function extract(args: TarArgs, io: ExecIo): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(chunk);
  if (io.files.stat(args.directory)?.type !== "dir") {
    return fail(io, [`${args.directory}: Cannot open: No such file or directory`]);
  }
  const errors: string[] = [];
  for (const entry of decodeTar(Buffer.concat(chunks))) {
    const target = PodFilesystem.resolve(entry.name, args.directory);
    try {
      // -m: the extracted files get the time of extraction, not the archive's.
      if (entry.type === "dir") io.files.mkdirs(target, entry.mode);
      else {
        io.files.mkdirs(posix.dirname(target));
        io.files.writeFile(target, entry.data, entry.mode);
      }
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return errors.length ? fail(io, [...errors, "Exiting with failure status due to previous errors"]) : 0;
}

export async function tar(argv: string[], io: ExecIo): Promise<number> {
  const args = parseArgs(argv);
  if (args.file !== "-") return fail(io, ["the stand-in's tar reads and writes only stdin/stdout (f -)"]);
  if (args.mode === "c") {
    if (args.paths.length === 0) return fail(io, ["Cowardly refusing to create an empty archive"]);
    return create(args, io);
  }
  if (args.mode === "x") return extract(args, io);
  return fail(io, ["You must specify one of the '-Acdtrux', '--delete' or '--test-label' options"]);
}
