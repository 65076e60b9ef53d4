import { type RequestHandler, Router } from "express";
import type { LoginService } from "./login-service.ts";

/**
 * The login endpoints. /start and /callback are visited by the person's browser; /token and
 * the device endpoints are called by the CLI. `limit` rate-limits all of them per client.
 */
export function loginRoutes(options: { login: LoginService; limit: RequestHandler }): Router {
  const { login, limit } = options;
  const router = Router();

  router.get("/login/start", limit, async (req, res) => {
    res.redirect(302, (await login.start(req.query)).href);
  });

  router.get("/login/callback", limit, async (req, res) => {
    const query = new URL(req.originalUrl, "http://callback").searchParams;
    res.redirect(302, (await login.callback(query)).href);
  });

  router.post("/login/token", limit, async (req, res) => {
    res.json(sessionBody(await login.redeem(req.body ?? {})));
  });

  router.post("/login/device", limit, async (_req, res) => {
    const device = await login.startDevice();
    res.json({
      device_code: device.deviceCode,
      user_code: device.userCode,
      verification_uri: device.verificationUri,
      verification_uri_complete: device.verificationUriComplete,
      interval: device.intervalSeconds,
      expires_in: device.expiresInSeconds,
    });
  });

  router.post("/login/device/token", limit, async (req, res) => {
    const result = await login.pollDevice(req.body ?? {});
    if (result.done) res.json(sessionBody(result.session));
    else res.status(202).json({ status: "authorization_pending", interval: result.intervalSeconds });
  });

  return router;
}

function sessionBody(session: { secret: string; expiresAt: number; principal: unknown }) {
  return {
    session: session.secret,
    expiresAt: new Date(session.expiresAt).toISOString(),
    principal: session.principal,
  };
}
