/**
 * What an exec or attach request asks for, checked before any 101 as the API server checks
 * PodExecOptions / PodAttachOptions: the container, the stream flags, and the program — the
 * command for exec, the container's main process (main-process.ts) for attach.
 */
import { containersOf } from "../behaviours/pods.ts";
import { containerFor } from "../handlers/logs.ts";
import type { KubeObject } from "../objects.ts";
import { badRequest } from "../status.ts";
import type { MainProcesses } from "./main-process.ts";
import type { PodFilesystem } from "./pod-files.ts";
import { execProgram, type RemoteProgram, type SessionOptions } from "./remote-command.ts";

export interface RemoteCommandRequest {
  subresource: "exec" | "attach";
  pod: KubeObject;
  url: URL;
  username: string;
  files: PodFilesystem;
  mainProcesses: MainProcesses;
  killed: AbortSignal;
}

/**
 * The query's booleans as the server decodes them (runtime.Convert_Slice_string_To_bool): absent,
 * "false" or "0" (any case) is false, anything else true — so the Python client's `stdout=True`
 * counts, as on a real server.
 */
function flag(url: URL, name: string): boolean {
  const value = url.searchParams.get(name);
  return value !== null && !["false", "0"].includes(value.toLowerCase());
}

/** The session's options and program, or throws the Status to refuse the upgrade with. */
export function remoteCommandOf(request: RemoteCommandRequest): {
  options: SessionOptions;
  program: RemoteProgram;
} {
  const { subresource, pod, url } = request;
  const name = containerFor(pod, url.searchParams.get("container"));
  const options: SessionOptions = {
    stdin: flag(url, "stdin"),
    stdout: flag(url, "stdout"),
    stderr: flag(url, "stderr"),
    tty: flag(url, "tty"),
    username: request.username,
    podName: pod.metadata.name ?? "",
    files: request.files,
    killed: request.killed,
  };
  if (subresource === "attach") {
    const container = containersOf(pod).find((c) => c.name === name) ?? { name };
    return { options, program: request.mainProcesses.of(pod, container, request.files).program };
  }
  const argv = url.searchParams.getAll("command");
  if (argv.length === 0) throw badRequest("you must specify at least 1 command");
  return { options, program: execProgram(argv) };
}
