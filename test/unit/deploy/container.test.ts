import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { parseConfig } from "../../../src/config/load.ts";
import { shippedNodeFlags } from "../../bench/support/shipped-node-flags.ts";

/**
 * No Docker engine runs where the tests run, so the image cannot be built here; these checks
 * hold the Dockerfile and docker-compose.yml to what DESIGN.md and the ship issue ask.
 */
describe("Dockerfile", () => {
  it("is multi-stage, runs the bundle as non-root with production dependencies only, and has a HEALTHCHECK", async () => {
    const text = await readFile("Dockerfile", "utf8");
    const stages = text.match(/^FROM /gm) ?? [];
    assert.ok(stages.length >= 2, "multi-stage");
    const final = text.slice(text.lastIndexOf("\nFROM "));
    assert.match(final, /^USER (?!0|root)\S+/m, "non-root in the final stage");
    assert.match(final, /HEALTHCHECK .*\/healthz/s);
    assert.match(final, /dist\/kube-broker\.js/);
    assert.match(text, /npm ci --omit=dev/);
    assert.doesNotMatch(final, /npm (ci|install)(?! --omit=dev)/, "no dev install in the final stage");
    assert.match(text, /FROM node:24/);
  });
});

describe("the broker's Node flags", () => {
  it("are read from the image's ENTRYPOINT, so that the benchmarks run the broker as it ships", async () => {
    const flags = await shippedNodeFlags();
    assert.ok(flags.includes("--max-semi-space-size=16"), flags.join(" "));
    assert.ok(flags.every((flag) => flag.startsWith("--")));
  });
});

describe("docker-compose.yml", () => {
  it("runs Redis with append-only persistence, the broker with a read-only kubeconfig, and an OIDC provider", async () => {
    const compose = parse(await readFile("docker-compose.yml", "utf8")) as {
      services: Record<string, { command?: string[]; volumes?: string[]; read_only?: boolean }>;
    };
    const { redis, broker, idp } = compose.services;
    assert.ok(redis && broker && idp);
    assert.ok(redis.command?.join(" ").includes("--appendonly yes"));
    assert.ok(
      broker.volumes?.some((v) => v.includes("kubeconfig:ro")),
      "kubeconfig mounted read-only",
    );
    assert.equal(broker.read_only, true);
    parseConfig(parse(await readFile("config/compose.yaml", "utf8")));
  });
});
