import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { RecordingMeta } from "../../../src/recording/index.ts";
import { parseCast } from "../../../src/shared/asciicast.ts";
import { STANDING_EDIT } from "../../support/stack.ts";
import { until } from "../console/console-browser.ts";
import { oneLineFailure } from "./cli-process.ts";
import { useDeveloper } from "./developer.ts";

/** `kubectl broker sessions`: my recorded exec sessions, listed, exported, played and searched. */
describe("kubectl broker sessions", () => {
  const developer = useDeveloper({ config: STANDING_EDIT });
  let recording: RecordingMeta;

  before(async () => {
    const { kubectl, cli, stack } = developer();
    assert.equal((await developer().login()).code, 0);
    const kubeconfig = await developer().kubeconfig("team-a", "edit");
    // Piped into a shell: no terminal, but what it reads is typed input all the same.
    const ran = await kubectl.run(kubeconfig, ["exec", "-i", "web-1", "--", "sh"], {
      input: "echo typed-through-cli\nhostname\n",
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal(ran.stdout, "typed-through-cli\nweb-1\n");
    recording = await until("the ended recording in sessions list -o json", async () => {
      const listed = await cli(["sessions", "list", "-o", "json", "--server", stack.url]);
      assert.equal(listed.code, 0, listed.stderr);
      const { items } = JSON.parse(listed.stdout) as { items: RecordingMeta[] };
      return items.find((r) => r.command.join(" ") === "sh" && r.state === "ended");
    });
  });

  it("list: a table of my sessions", async () => {
    const { cli, stack } = developer();
    const table = await cli(["sessions", "list", "--server", stack.url]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^AGE +USER +CLUSTER +NAMESPACE +POD +COMMAND +DURATION +STATE +ID\n/);
    assert.match(
      table.stdout,
      new RegExp(`dev@example\\.com +test +team-a +web-1 +sh +\\d+s +ended +${recording.id}`),
    );
  });

  it("export writes the asciicast file; play replays its output", async () => {
    const { cli, stack } = developer();
    const exported = await cli(["sessions", "export", recording.id, "--server", stack.url]);
    assert.equal(exported.code, 0, exported.stderr);
    const cast = parseCast(exported.stdout);
    assert.equal(cast.header.command, "sh");
    const output = cast.events
      .filter((e) => e[1] === "o")
      .map((e) => e[2])
      .join("");
    assert.equal(output, "typed-through-cli\nweb-1\n");
    const played = await cli(["sessions", "play", recording.id, "--speed", "50", "--server", stack.url]);
    assert.equal(played.code, 0, played.stderr);
    assert.equal(played.stdout, output);
  });

  it("search finds the typed line", async () => {
    const { cli, stack } = developer();
    const found = await cli(["sessions", "search", "typed-through", "--server", stack.url]);
    assert.equal(found.code, 0, found.stderr);
    assert.match(found.stdout, new RegExp(`${recording.id} +echo typed-through-cli\\n`));
    const none = await cli(["sessions", "search", "never typed anywhere", "--server", stack.url]);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /No typed line matched/);
  });

  it("refusals are one line: a session that does not exist, a missing action, a bad speed", async () => {
    const { cli, stack } = developer();
    assert.match(
      oneLineFailure(await cli(["sessions", "play", "no-such-session", "--server", stack.url])),
      /no recording no-such-session/,
    );
    assert.match(
      oneLineFailure(await cli(["sessions", "--server", stack.url])),
      /sessions list\|play\|export\|search/,
    );
    assert.match(
      oneLineFailure(await cli(["sessions", "play", recording.id, "--speed", "fast", "--server", stack.url])),
      /--speed must be a number above 0/,
    );
  });
});
