import { describe } from "node:test";
import { failoverUnderTraffic } from "./failover.ts";
import { gatewayFlow, useTopologyStack } from "./flows.ts";

describe("on Redis Sentinel, buffered audit", () => {
  const env = useTopologyStack("sentinel", "buffered");
  gatewayFlow(env);
  failoverUnderTraffic(env, "buffered", () => ({
    what: "the master",
    kill: () => env().stack.redis.killMaster(),
  }));
});
