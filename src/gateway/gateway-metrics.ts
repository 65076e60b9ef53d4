import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface GatewayMetrics {
  request(cluster: string, verb: string, code: number, seconds: number): void;
}

/** Requests by cluster/verb/code, latency, and open long-lived streams (`kube_broker_gateway_*`). */
export function createGatewayMetrics(registry: Registry, openStreams: () => number): GatewayMetrics {
  const requests = new Counter({
    name: "kube_broker_gateway_requests_total",
    help: "Requests through the gateway, by cluster, Kubernetes verb and response code.",
    labelNames: ["cluster", "verb", "code"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "kube_broker_gateway_request_duration_seconds",
    help: "Time from receiving a gateway request to its end (streams included).",
    labelNames: ["cluster", "verb"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 600],
    registers: [registry],
  });
  new Gauge({
    name: "kube_broker_gateway_open_streams",
    help: "Open gateway connections (watches, logs, exec, port-forward) on this replica.",
    registers: [registry],
    collect() {
      this.set(openStreams());
    },
  });
  return {
    request(cluster, verb, code, seconds) {
      requests.inc({ cluster, verb, code: String(code) });
      latency.observe({ cluster, verb }, seconds);
    },
  };
}
