import { Agent } from "node:https";

/** Connections to one API server that the broker keeps open at most. */
const MAX_CONNECTIONS = 32;

/**
 * How long an idle keep-alive connection to an API server is kept (the broker's own calls,
 * and the gateway's). It must end before the server ends it, or a request sent on it as the
 * server closes it fails ("socket hang up"). A server that announces its idle timeout
 * (`Keep-Alive: timeout=N`) gets a second less than that (Node's agent does this once any
 * timeout is set); kube-apiserver, a Go server, announces none and keeps idle connections for
 * 90 s, and the load balancers usually in front of it for 60 s or more, so 30 s stays below
 * all of them.
 *
 * The same socket timeout also fires on a request in flight that is silent (a quiet
 * watch); Node only emits 'timeout' then and nothing acts on it, so streams stay open.
 */
export const IDLE_SOCKET_MS = 30_000;

/** Where an API server is and how it is trusted: from a kubeconfig, the pod, or the config. */
export interface ServerTrust {
  server: URL;
  /** PEM; none: the system's trusted CAs. */
  ca: Buffer | undefined;
  rejectUnauthorized: boolean;
  /** The name the server's certificate must carry, where it is not the URL's host. */
  tlsServerName?: string | undefined;
}

/** What proves the broker's identity on a request: a header, a client certificate, or both. */
export interface Credentials {
  headers: Record<string, string>;
  cert?: Buffer | string | undefined;
  key?: Buffer | string | undefined;
}

/**
 * How the broker reaches one cluster's API server with its own credentials. Every request
 * asks for the credentials afresh (a token file is rotated by the kubelet; an exec plugin's
 * token expires), and all of them share one keep-alive agent, so that thousands of calls
 * (5,000 grants ending at once) reuse a few TLS connections instead of a handshake each.
 */
export class KubeConnection {
  readonly trust: ServerTrust;
  readonly #credentials: () => Promise<Credentials>;
  #agent: Agent | undefined;
  /** The client certificate the agent was made with: a new one (an exec plugin's) makes a new agent. */
  #agentCert: Credentials["cert"];

  constructor(trust: ServerTrust, credentials: () => Promise<Credentials>) {
    this.trust = trust;
    this.#credentials = credentials;
  }

  get server(): URL {
    return this.trust.server;
  }

  /** The agent and headers for one https.request to the server, authenticated as the broker. */
  async requestOptions(headers: Record<string, string>) {
    const credentials = await this.#credentials();
    return { headers: { ...headers, ...credentials.headers }, agent: this.#agentFor(credentials) };
  }

  /** Closes the kept connections. */
  close(): void {
    this.#agent?.destroy();
    this.#agent = undefined;
  }

  #agentFor(credentials: Credentials): Agent {
    if (this.#agent && this.#agentCert === credentials.cert) return this.#agent;
    // A new client certificate (an exec plugin's, renewed): new connections carry it. The old
    // agent is left to finish what it is sending; its idle connections close on their own.
    const { ca, rejectUnauthorized, tlsServerName } = this.trust;
    this.#agentCert = credentials.cert;
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: MAX_CONNECTIONS,
      timeout: IDLE_SOCKET_MS,
      rejectUnauthorized,
      ...(ca ? { ca } : {}),
      ...(tlsServerName ? { servername: tlsServerName } : {}),
      ...(credentials.cert ? { cert: credentials.cert } : {}),
      ...(credentials.key ? { key: credentials.key } : {}),
    });
    return this.#agent;
  }
}
