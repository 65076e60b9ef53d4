import { describe } from "node:test";
import { failoverUnderTraffic } from "./failover.ts";
import { mainFlows, useTopologyStack } from "./flows.ts";

describe("on Redis Sentinel, fail-closed", () => {
  const env = useTopologyStack("sentinel", "fail-closed");
  mainFlows(env);
  // A hung master first (it comes back as the replica), then a dead one.
  failoverUnderTraffic(env, "fail-closed", () => ({
    what: "a hung master",
    kill: () => env().stack.redis.stallMaster(),
  }));
  failoverUnderTraffic(env, "fail-closed", () => ({
    what: "the master",
    kill: () => env().stack.redis.killMaster(),
  }));
});
