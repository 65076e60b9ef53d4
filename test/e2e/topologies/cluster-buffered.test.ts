import { describe } from "node:test";
import { failoverUnderTraffic } from "./failover.ts";
import { gatewayFlow, useTopologyStack } from "./flows.ts";

describe("on a Redis Cluster, buffered audit", () => {
  const env = useTopologyStack("cluster", "buffered");
  gatewayFlow(env);
  failoverUnderTraffic(env, "buffered", () => ({
    what: "the master of {audit}",
    kill: () => env().stack.redis.killMaster(`${env().stack.redis.keyPrefix}{audit}:`),
  }));
});
