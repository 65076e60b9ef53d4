// http-proxy ships no types for its internal passes; the gateway uses web-outgoing's
// functions to write an answer's head as http-proxy itself would (response-relay.ts).
declare module "http-proxy/lib/http-proxy/passes/web-outgoing.js" {
  const passes: Record<string, unknown>;
  export default passes;
}
