import { describe } from "node:test";
import { failoverUnderTraffic } from "./failover.ts";
import { mainFlows, useTopologyStack } from "./flows.ts";

describe("on a Redis Cluster, fail-closed", () => {
  const env = useTopologyStack("cluster", "fail-closed");
  mainFlows(env);
  // The audit stream's master dies (and comes back as a replica, so the cluster is whole
  // again); then the grants' master hangs until its replica has taken over.
  failoverUnderTraffic(env, "fail-closed", () => ({
    what: "the master of {audit}",
    kill: async () => {
      const { redis } = env().stack;
      const result = await redis.killMaster(`${redis.keyPrefix}{audit}:`);
      await redis.startNode(result.killed);
      return result;
    },
  }));
  failoverUnderTraffic(env, "fail-closed", () => ({
    what: "a hung master of {grants}",
    kill: () => env().stack.redis.stallMaster(`${env().stack.redis.keyPrefix}{grants}:`),
  }));
});
