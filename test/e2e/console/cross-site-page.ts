/**
 * A would-be attacker's page for the CSRF test: an HTTPS server on loopback at another port
 * than the broker's, so another origin but the same site (127.0.0.1). Same-site matters: a
 * SameSite=Lax cookie is then still sent with a POST, so what refuses the request must be the
 * broker's CSRF check, not the browser. It serves the stack's own certificate (its SAN is
 * 127.0.0.1), which the test's Chromium already trusts.
 *
 * The page holds a form that POSTs a JSON-looking body as text/plain to the broker's
 * /v1/requests (the classic way round a JSON API: no preflight, the cookie goes along).
 */
import { readFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export interface CrossSitePage {
  url: string;
  close(): Promise<void>;
}

/** `body` is what the form's text/plain submission sends; it must contain one "=" (name=value). */
export async function startCrossSitePage(options: {
  brokerUrl: string;
  stackDir: string;
  body: string;
}): Promise<CrossSitePage> {
  const [cert, key] = await Promise.all([
    readFile(join(options.stackDir, "broker.crt"), "utf8"),
    readFile(join(options.stackDir, "broker.key"), "utf8"),
  ]);
  const eq = options.body.indexOf("=");
  const name = options.body.slice(0, eq);
  const value = options.body.slice(eq + 1);
  const attr = (text: string) => text.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Win a prize</title></head>
<body>
<h1>Claim your prize</h1>
<form method="post" enctype="text/plain" action="${attr(`${options.brokerUrl}/v1/requests`)}">
  <input type="hidden" name="${attr(name)}" value="${attr(value)}">
  <button type="submit">Claim</button>
</form>
</body></html>`;
  const server = createServer({ cert, key }, (req, res) => {
    if (req.url === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
