import type { IncomingMessage } from "node:http";
import { request } from "node:https";
import type { RoleConfig } from "../../config/schema.ts";
import type { Grant } from "../../grants/index.ts";
import { BrokerError, Unavailable } from "../../shared/errors.ts";
import type { Admitted } from "../admission.ts";
import type { RequestContext } from "../audit-fields.ts";
import { guardedKind } from "./guarded-kind.ts";
import { judge } from "./persistence-guard.ts";

/** A guarded body larger than this is refused rather than read (real ones are a few KB). */
const MAX_BODY_BYTES = 1024 * 1024;
/** How long the look-up of the object a patch changes may take. */
const CURRENT_TIMEOUT_MS = 5000;

/** What the gateway forwards in place of the client's body stream: the body read, or rewritten. */
export interface ForwardBody {
  bytes: Buffer;
  contentType?: string;
}

export interface GuardDeps {
  settingsOf(grant: Grant): RoleConfig["guard"];
  now(): number;
}

/**
 * The guard's step of admission, for the few requests it reads: reads the body (bounded),
 * judges it, and returns what to forward — or throws the refusal, which admission answers
 * and audits like any other. Requests it does not read return undefined and stream through.
 */
export async function guardStep(
  req: IncomingMessage,
  ctx: RequestContext,
  admitted: Admitted,
  deps: GuardDeps,
): Promise<ForwardBody | undefined> {
  const kind = guardedKind(ctx.attrs);
  const grant = ctx.grant;
  if (!kind || !grant) return undefined;
  const settings = deps.settingsOf(grant);
  if (settings.mode === "off") return undefined;
  const body = await readBody(req);
  const contentType = String(req.headers["content-type"] ?? "");
  const verdict = await judge(
    {
      kind,
      verb: ctx.attrs!.verb,
      contentType,
      body,
      namespace: ctx.attrs!.namespace,
      current: () => currentObject(admitted, ctx.rawPath.replace(/\/approval$/, "")),
    },
    {
      id: grant.id,
      expiresAt: grant.expiresAt,
      grantsNamespace: admitted.cluster.config.grantsNamespace,
      settings,
    },
    deps.now(),
  );
  if (verdict.kind === "pass") {
    ctx.guardNote = verdict.note;
    return { bytes: body };
  }
  ctx.guardNote = verdict.note;
  if (verdict.kind === "refuse") throw verdict.error;
  return { bytes: verdict.body, contentType: verdict.contentType };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new BrokerError(413, "BadRequest", `the request body is over ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** GET of the object as the cluster holds it, with the grant's own access; undefined if absent. */
function currentObject(admitted: Admitted, path: string): Promise<Record<string, unknown> | undefined> {
  const upstream = admitted.cluster.upstream;
  return new Promise((resolve, reject) => {
    const get = request(
      new URL(path, upstream.url),
      {
        method: "GET",
        agent: upstream.agent,
        headers: { authorization: admitted.authorization, accept: "application/json" },
        timeout: CURRENT_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (res.statusCode === 404) return resolve(undefined);
          if (res.statusCode !== 200) {
            return reject(
              new Unavailable(
                `the cluster did not show the object this changes (HTTP ${res.statusCode}); try again`,
              ),
            );
          }
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>);
          } catch (err) {
            reject(
              new Unavailable("the cluster's answer about the object could not be read", { cause: err }),
            );
          }
        });
      },
    );
    get.on("timeout", () => get.destroy(new Unavailable("the cluster did not answer in time; try again")));
    get.on("error", reject);
    get.end();
  });
}
