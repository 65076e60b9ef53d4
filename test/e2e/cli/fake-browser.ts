/**
 * A stand-in for the person's browser, for BROWSER="node fake-browser.ts RECORD %s": it
 * records that it was opened (one line per call in RECORD), and, unless RECORD ends in
 * ".only-record", completes the sign-in as FAKE_BROWSER_LOGIN (default "dev").
 */
import { appendFileSync } from "node:fs";
import { HeadlessBrowser } from "../../support/browser.ts";

const [record, url] = process.argv.slice(2);
appendFileSync(record!, `${url}\n`);
if (!record!.endsWith(".only-record")) {
  await new HeadlessBrowser().visit(url!, { login: process.env.FAKE_BROWSER_LOGIN ?? "dev" });
}
