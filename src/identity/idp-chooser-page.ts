import { escapeHtml } from "../shared/escape-html.ts";
import { plainPage } from "../shared/plain-page.ts";
import type { ProviderChoice } from "./identity-providers.ts";

/**
 * The page a browser login lands on when the broker has several identity providers and the
 * login named none: one link per provider, each the same login with `idp` added. It is a
 * plain server-rendered page with no script and no style, so its own strict CSP (below)
 * allows nothing but following a link; everything shown is escaped.
 */
export const CHOOSER_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy":
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Cache-Control": "no-store",
};

export function idpChooserPage(choices: ProviderChoice[], linkFor: (name: string) => string): string {
  const items = choices
    .map((c) => {
      const detail = c.displayName === c.name ? "" : ` <small>(${escapeHtml(c.name)})</small>`;
      return `<li><a href="${escapeHtml(linkFor(c.name))}">${escapeHtml(c.displayName)}</a>${detail}</li>`;
    })
    .join("\n");
  return plainPage("Sign in", `<h1>Sign in with</h1>\n<ul>\n${items}\n</ul>`);
}

/** The same path and query with `idp` set: what each of the page's links is. */
export function withIdp(pathAndQuery: string, name: string): string {
  const url = new URL(pathAndQuery, "http://chooser.invalid");
  url.searchParams.set("idp", name);
  return url.pathname + url.search;
}
