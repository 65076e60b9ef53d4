import type { ParseArgsOptionsConfig } from "node:util";
import { BROKER_FLAGS, parseFlags } from "../args.ts";
import { brokerTarget } from "../broker/session-access.ts";
import { STORAGE_FLAG } from "../cache/session-storage.ts";
import { UsageError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { durationFlag } from "../duration-flag.ts";
import { signIn } from "../login/sign-in.ts";

export const usage = `kubectl broker login [--idp NAME] [--device | --no-browser] [--server URL]

Signs in and keeps the broker session's secret in the OS keyring (Secret Service, Keychain,
Credential Manager), or, where there is none, under ~/.kube/cache/kube-broker/ (mode 0600).
Opens your browser (and prints the URL); without a display, uses a device code.

  --idp NAME                    the identity provider to sign in at, when the broker has
                                several (without it, the browser page lists them)
  --device                      sign in on another device with a code
  --no-browser                  print the URL instead of opening a browser
  --browser-command CMD         what opens the page (or BROWSER); %s stands for the URL
  --timeout D                   how long to wait for the sign-in (default 5m)
  --token-cache-storage S       keyring (refused when there is none) or disk (a 0600 file);
                                default: the keyring if it answers, else the file, with a note
                                (or KUBE_BROKER_TOKEN_CACHE_STORAGE)
  --server URL                  the broker (or KUBE_BROKER_SERVER)
  --certificate-authority FILE  CA for the broker (or KUBE_BROKER_CA_FILE), remembered`;

export const flags = {
  ...BROKER_FLAGS,
  device: { type: "boolean" },
  "no-browser": { type: "boolean" },
  "browser-command": { type: "string" },
  timeout: { type: "string" },
  idp: { type: "string" },
  ...STORAGE_FLAG,
} as const satisfies ParseArgsOptionsConfig;

export async function run(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, flags);
  if (values.device && values["no-browser"]) throw new UsageError("give --device or --no-browser, not both");
  const target = brokerTarget(ctx, values);
  await signIn(ctx, {
    target,
    mode: values.device ? "device" : values["no-browser"] ? "print" : "browser",
    browserCommand: values["browser-command"],
    timeoutMs: durationFlag(values.timeout, "timeout", 5 * 60_000),
    // Keep trusting the CA named at an earlier login, unless this one names another.
    ca: target.namedCa ?? target.store.read(target.server).session?.ca,
    reuseFresh: false,
    idp: values.idp,
  });
  return 0;
}
