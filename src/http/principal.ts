import type { Response } from "express";
import { Unauthorized } from "../shared/errors.ts";
import type { Principal } from "../shared/principal.ts";

/**
 * The authenticated principal of an API request. The identity feature's middleware sets it;
 * routes read it here so they need not know how the caller signed in.
 */
export function setPrincipal(res: Response, principal: Principal): void {
  res.locals.principal = principal;
}

export function getPrincipal(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Unauthorized("sign in first: run kubectl broker login");
  return principal;
}
