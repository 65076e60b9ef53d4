import { connect } from "node:tls";

export interface RawAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: string;
  /** When the server closed the connection, in ms after the answer's first byte arrived. */
  closedAfterMs: number;
}

/**
 * Sends one request exactly as written (fetch would normalise its path and headers) over TLS
 * and reads until the server closes the connection; fails after `timeoutMs`.
 */
export function rawRequest(
  baseUrl: string,
  ca: string,
  request: string,
  timeoutMs = 15_000,
): Promise<RawAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port), ca }, () => socket.write(request));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${timeoutMs} ms`));
    }, timeoutMs);
    let text = "";
    let firstByteAt = 0;
    socket.on("data", (chunk: Buffer) => {
      firstByteAt ||= performance.now();
      text += chunk.toString();
    });
    socket.on("end", () => {
      clearTimeout(timer);
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => [
          line.slice(0, line.indexOf(":")).toLowerCase(),
          line.slice(line.indexOf(":") + 1).trim(),
        ]),
      );
      resolve({
        status: Number(statusLine.split(" ")[1]),
        headers,
        body: rest.join("\r\n\r\n"),
        closedAfterMs: performance.now() - firstByteAt,
      });
    });
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** A GET with a bearer token that asks the server to close the connection after answering. */
export function rawGet(baseUrl: string, ca: string, path: string, bearer: string): Promise<RawAnswer> {
  const host = new URL(baseUrl).host;
  return rawRequest(
    baseUrl,
    ca,
    `GET ${path} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${bearer}\r\nconnection: close\r\n\r\n`,
  );
}
