import { Agent } from "node:https";

/** Connections to one API server that the broker keeps open at most. */
const MAX_CONNECTIONS = 32;

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

  /** Options for https.request to `path` on the server, authenticated as the broker. */
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
    this.#agent?.destroy();
    const { ca, rejectUnauthorized, tlsServerName } = this.trust;
    this.#agentCert = credentials.cert;
    this.#agent = new Agent({
      keepAlive: true,
      maxSockets: MAX_CONNECTIONS,
      rejectUnauthorized,
      ...(ca ? { ca } : {}),
      ...(tlsServerName ? { servername: tlsServerName } : {}),
      ...(credentials.cert ? { cert: credentials.cert } : {}),
      ...(credentials.key ? { key: credentials.key } : {}),
    });
    return this.#agent;
  }
}
