/**
 * A headless "person with a browser" for login tests: follows redirects across origins with
 * a cookie jar per host, and submits the OIDC provider's dev-interaction forms (sign-in with
 * the given login, consent, device confirmation). No JavaScript, no real browser.
 */
export interface BrowseOptions {
  /** The login typed into the IdP's sign-in form. */
  login: string;
  password?: string;
  /** Stop (without fetching) when a redirect goes to a URL for which this is true. */
  stopAt?: (url: URL) => boolean;
  maxSteps?: number;
}

export interface BrowseResult {
  url: URL;
  status: number;
  body: string;
}

export class HeadlessBrowser {
  #cookies = new Map<string, Map<string, string>>();

  async visit(start: string | URL, options: BrowseOptions): Promise<BrowseResult> {
    let url = new URL(start);
    let method = "GET";
    let body: URLSearchParams | undefined;
    for (let step = 0; step < (options.maxSteps ?? 30); step++) {
      if (options.stopAt?.(url)) return { url, status: 0, body: "" };
      const res = await fetch(url, {
        method,
        body,
        redirect: "manual",
        headers: { cookie: this.#cookieHeader(url) },
      });
      this.#storeCookies(url, res.headers.getSetCookie());
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        url = new URL(location, url);
        method = "GET";
        body = undefined;
        continue;
      }
      const text = await res.text();
      const form = res.headers.get("content-type")?.includes("html") ? pickForm(text) : undefined;
      if (!form) return { url, status: res.status, body: text };
      url = new URL(form.action, url);
      method = "POST";
      body = new URLSearchParams(form.fields);
      if (form.fields.prompt === "login") {
        body.set("login", options.login);
        body.set("password", options.password ?? "any-password");
      }
    }
    throw new Error(`browser: too many steps, last at ${url}`);
  }

  #cookieHeader(url: URL): string {
    const jar = this.#cookies.get(url.host);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join("; ") : "";
  }

  #storeCookies(url: URL, setCookies: string[]): void {
    const jar = this.#cookies.get(url.host) ?? new Map<string, string>();
    for (const cookie of setCookies) {
      const [pair] = cookie.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    this.#cookies.set(url.host, jar);
  }
}

interface HtmlForm {
  action: string;
  fields: Record<string, string>;
}

/** The first POST form on the page that is not an abort form, with its hidden inputs. */
function pickForm(html: string): HtmlForm | undefined {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const attributes = match[1]!;
    if (!/method="post"/i.test(attributes)) continue;
    const action = /action="([^"]*)"/i.exec(attributes)?.[1];
    if (action === undefined) continue;
    const fields: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/i.exec(input[1]!)?.[1];
      const value = /value="([^"]*)"/i.exec(input[1]!)?.[1];
      if (name && value !== undefined) fields[name] = decodeEntities(value);
    }
    return { action: decodeEntities(action), fields };
  }
  return undefined;
}

function decodeEntities(text: string): string {
  return text
    .replaceAll("&amp;", "&")
    .replaceAll("&quot;", '"')
    .replaceAll("&#x2F;", "/")
    .replaceAll("&#47;", "/")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">");
}
