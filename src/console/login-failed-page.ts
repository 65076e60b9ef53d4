/**
 * The page a failed console sign-in lands on. It is rendered here, not by the console's
 * script, so that it works even when the console itself cannot load; it has no script and
 * no inline style (the CSP forbids both) and escapes everything it shows.
 *
 * The reason comes from the query string, which anyone can write into a link: only the
 * known OAuth error codes get a sentence, so a crafted link cannot make the broker's page
 * say whatever its author likes.
 */
import { escapeHtml } from "../shared/escape-html.ts";
import { plainPage } from "../shared/plain-page.ts";

const REASONS: Record<string, string> = {
  access_denied: "The identity provider declined the sign-in, or it was cancelled.",
  login_required: "The identity provider needs you to sign in again.",
  consent_required: "The identity provider needs your consent first.",
  interaction_required: "The identity provider needs you to finish signing in there first.",
  temporarily_unavailable: "The identity provider is unavailable for the moment; try again shortly.",
  server_error: "The identity provider had an error.",
  invalid_grant: "The sign-in could not be completed: it expired or was already used.",
  login_failed: "The broker could not complete the sign-in with the identity provider.",
};

const ERROR_CODE = /^[a-z_]{1,64}$/;

export function loginFailedPage(query: { error?: unknown; return?: unknown }): string {
  const code = typeof query.error === "string" && ERROR_CODE.test(query.error) ? query.error : "";
  const reason = REASONS[code] ?? "The sign-in did not complete.";
  // The return path is checked again when the link is followed (/ui/login falls back to /ui/).
  const back = typeof query.return === "string" ? query.return.slice(0, 2048) : "/ui/";
  const retry = `/ui/login?return=${encodeURIComponent(back)}`;
  return plainPage(
    "Sign-in failed",
    `<h1>Sign-in failed</h1>
<p>${escapeHtml(reason)}</p>
${code ? `<p>Error from the sign-in: <code>${escapeHtml(code)}</code></p>\n` : ""}<p><a href="${escapeHtml(retry)}">Sign in again</a></p>`,
  );
}
