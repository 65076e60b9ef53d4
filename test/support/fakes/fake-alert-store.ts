import assert from "node:assert/strict";
import type {
  Alert,
  AlertStore,
  SightingInput,
  WindowAnswer,
  WindowInput,
} from "../../../src/alerts/index.ts";

interface FakeWindow {
  members: Map<string, number>;
  above: boolean;
  crossing?: string;
  latest: number;
}

/**
 * AlertStore in memory, doing what RedisAlertStore's scripts do; alertStoreContract holds the
 * cases both must pass (test/integration/alerts/redis-alert-store.test.ts runs them on both).
 */
export class FakeAlertStore implements AlertStore {
  readonly #windows = new Map<string, FakeWindow>();
  readonly #seen = new Map<string, { last: number; novel: string }>();
  readonly #claimed = new Set<string>();
  /** What fire() appended, in order: the alert log. */
  readonly log: Alert[] = [];

  async crossed(input: WindowInput): Promise<WindowAnswer> {
    const key = `${input.rule}\0${input.group}`;
    const window: FakeWindow = this.#windows.get(key) ?? {
      members: new Map(),
      above: false,
      latest: input.at,
    };
    this.#windows.set(key, window);
    if (!window.members.has(input.recordId)) window.members.set(input.recordId, input.at);
    window.latest = Math.max(window.latest, input.at);
    for (const [id, at] of window.members)
      if (at <= window.latest - input.windowMs) window.members.delete(id);
    const inWindow = window.members.size;
    if (window.crossing === input.recordId) return { crossed: true, inWindow };
    if (inWindow < input.count) window.above = false;
    else if (!window.above) {
      window.above = true;
      window.crossing = input.recordId;
      return { crossed: true, inWindow };
    }
    return { crossed: false, inWindow };
  }

  async firstSeen(input: SightingInput): Promise<boolean> {
    const key = `${input.rule}\0${input.subject}`;
    const seen = this.#seen.get(key);
    if (seen?.novel === input.recordId) return true;
    const novel = seen === undefined || input.at - seen.last >= input.horizonMs;
    this.#seen.set(key, {
      last: Math.max(seen?.last ?? input.at, input.at),
      novel: novel ? input.recordId : seen!.novel,
    });
    return novel;
  }

  async fire(alert: Alert): Promise<boolean> {
    if (this.#claimed.has(alert.id)) return false;
    this.#claimed.add(alert.id);
    this.log.push(alert);
    return true;
  }
}

const MIN = 60_000;
const T0 = Date.parse("2026-03-02T10:00:00Z");
const win = (recordId: string, at: number, group = "user\0ann"): WindowInput => ({
  rule: "burst",
  group,
  recordId,
  at,
  windowMs: 5 * MIN,
  count: 3,
});

export const alertStoreContract: { name: string; run: (store: AlertStore) => Promise<void> }[] = [
  {
    name: "a threshold crosses once for a burst, and again only after the group fell below",
    async run(store) {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push((await store.crossed(win(`r${i}`, T0 + i * 1000))).crossed);
      assert.deepEqual(answers, [false, false, true, false, false, false]);
      // Ten minutes later the window holds one record: below, so a new burst fires again.
      assert.equal((await store.crossed(win("late1", T0 + 10 * MIN))).crossed, false);
      assert.equal((await store.crossed(win("late2", T0 + 10 * MIN + 1))).crossed, false);
      assert.equal((await store.crossed(win("late3", T0 + 10 * MIN + 2))).crossed, true);
    },
  },
  {
    name: "a threshold counts a record once, and says crossed again only for the crossing record",
    async run(store) {
      await store.crossed(win("a", T0));
      await store.crossed(win("a", T0));
      assert.equal((await store.crossed(win("b", T0 + 1))).inWindow, 2);
      assert.equal((await store.crossed(win("c", T0 + 2))).crossed, true);
      assert.equal((await store.crossed(win("c", T0 + 2))).crossed, true, "the crossing record, again");
      assert.equal((await store.crossed(win("b", T0 + 1))).crossed, false);
    },
  },
  {
    name: "a threshold keeps groups apart, and a late record does not re-arm the group",
    async run(store) {
      for (const id of ["a", "b"]) await store.crossed(win(id, T0 + 4 * MIN, "user\0bob"));
      assert.equal((await store.crossed(win("x", T0, "user\0cy"))).crossed, false);
      assert.equal((await store.crossed(win("c", T0 + 4 * MIN + 1, "user\0bob"))).crossed, true);
      // A record from before the window, counted late: the group stays above.
      assert.equal((await store.crossed(win("old", T0 - 10 * MIN, "user\0bob"))).crossed, false);
      assert.equal((await store.crossed(win("d", T0 + 4 * MIN + 2, "user\0bob"))).crossed, false);
    },
  },
  {
    name: "first seen is new once per horizon, and again for the record that was first",
    async run(store) {
      const seen = (recordId: string, at: number, subject = "ann|sourceIp|192.0.2.1") =>
        store.firstSeen({ rule: "new-ip", subject, recordId, at, horizonMs: 30 * 24 * 60 * MIN });
      assert.equal(await seen("a", T0), true);
      assert.equal(await seen("b", T0 + MIN), false);
      assert.equal(await seen("a", T0), true, "the first record, evaluated again");
      assert.equal(await seen("c", T0 + MIN, "ann|sourceIp|192.0.2.9"), true);
      assert.equal(await seen("d", T0 + 29 * 24 * 60 * MIN), false);
      // 31 days after the last sighting (d): new again.
      assert.equal(await seen("e", T0 + 60 * 24 * 60 * MIN), true);
    },
  },
  {
    name: "an alert fires once per id",
    async run(store) {
      const alert = (id: string) => ({ id }) as Alert;
      const options = { ttlMs: 60_000, keepAfterMs: 0 };
      assert.equal(await store.fire(alert("id-1"), options), true);
      assert.equal(await store.fire(alert("id-1"), options), false);
      assert.equal(await store.fire(alert("id-2"), options), true);
    },
  },
];
