import { CliError } from "../cli-error.ts";

/** What /v1/login/token and /v1/login/device/token answer once the person has signed in. */
export interface SessionBody {
  session: string;
  expiresAt: string;
  principal: { name: string; groups?: string[]; [field: string]: unknown };
}

export function asSessionBody(value: unknown): SessionBody {
  const body = value as Partial<SessionBody> | null;
  if (
    typeof body?.session !== "string" ||
    typeof body.expiresAt !== "string" ||
    typeof body.principal?.name !== "string"
  ) {
    throw new CliError("the broker's sign-in answer was not a session; is --server a kube-broker?");
  }
  return body as SessionBody;
}
