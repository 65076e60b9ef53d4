/**
 * What the audit pages' browser tests read off a page: the records table's rows, the Activity
 * stream's state, and a file the page downloads (caught through CDP into a temporary folder).
 */
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Chromium, Person, WatchedPage } from "../../support/chromium.ts";
import { element, named, textOf, until } from "./console-browser.ts";

/** A row of the records table, as the page shows it. */
export interface Row {
  id: string;
  user: string;
  text: string;
}

export function rows(w: WatchedPage): Promise<Row[]> {
  return w.page.$$eval("tr[data-record-id]", (trs) =>
    trs.map((tr) => ({
      id: tr.getAttribute("data-record-id") ?? "",
      user: tr.querySelector('[data-label="User"]')?.textContent ?? "",
      text: tr.textContent ?? "",
    })),
  );
}

export const rowIds = async (w: WatchedPage): Promise<string[]> => (await rows(w)).map((r) => r.id);

export function row(w: WatchedPage, id: string, what: string, timeoutMs = 10_000) {
  return element(w, `tr[data-record-id="${id}"]`, what, timeoutMs);
}

/**
 * The text of a record's row once it matches `pattern`: a request's row appears with its
 * start record ("in flight") and shows the outcome when the end record follows, a moment later.
 */
export function rowText(w: WatchedPage, id: string, what: string, pattern: RegExp, timeoutMs = 15_000) {
  return until(
    `${what}, showing ${pattern}`,
    async () => {
      const text = await textOf(await row(w, id, what, timeoutMs));
      return pattern.test(text) && text;
    },
    timeoutMs,
  );
}

export async function click(w: WatchedPage, name: string): Promise<void> {
  await (await element(w, named(name, "button"), `the "${name}" button`)).click();
}

/** Opens a disclosure (<details>) by its summary's text. */
export async function disclose(w: WatchedPage, summary: string): Promise<void> {
  await (await element(w, `summary::-p-text(${summary})`, `the "${summary}" disclosure`)).click();
}

/** Waits until the Activity page says its stream is live. */
export function live(w: WatchedPage): Promise<true> {
  return until("the Activity page's stream live", async () => {
    const state = await element(w, '[data-testid="stream-state"]', "the stream state");
    return (await textOf(state)) === "Live" ? true : undefined;
  });
}

/**
 * Runs `trigger` (a click that makes the page download a file) with the person's downloads
 * going to a temporary folder, and returns the file's name and text once Chromium says the
 * download completed.
 */
export async function download(
  chrome: Chromium,
  person: Person,
  trigger: () => Promise<void>,
): Promise<{ name: string; text: string }> {
  const folder = await mkdtemp(join(tmpdir(), "kb-download-"));
  const cdp = await chrome.browser.target().createCDPSession();
  try {
    await cdp.send("Browser.setDownloadBehavior", {
      behavior: "allow",
      downloadPath: folder,
      browserContextId: person.context.id,
      eventsEnabled: true,
    });
    const completed = new Promise<void>((resolve, reject) => {
      cdp.on("Browser.downloadProgress", (event) => {
        if (event.state === "completed") resolve();
        if (event.state === "canceled") reject(new Error("the download was canceled"));
      });
    });
    await trigger();
    await completed;
    const [name] = await readdir(folder);
    assert.ok(name, "a file was downloaded");
    return { name, text: await readFile(join(folder, name), "utf8") };
  } finally {
    await cdp.detach();
    await rm(folder, { recursive: true, force: true });
  }
}
