import type { Duplex } from "node:stream";
import { BadRequest, BrokerError } from "../shared/errors.ts";
import { writeSocketStatus } from "./status-writer.ts";

/**
 * Answers a request Node could not parse with a Kubernetes Status, like every other refusal
 * (Node's own answer is a bare status line). Headers or a path over `limits.maxHeaderBytes`
 * are 431, a request not received within the time limit 408, anything else malformed 400.
 * A connection the client already reset gets nothing.
 */
export function clientErrorAnswer(maxHeaderBytes: number) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    if (err.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    writeSocketStatus(socket, refusalFor(err.code, maxHeaderBytes));
  };
}

function refusalFor(code: string | undefined, maxHeaderBytes: number): BrokerError {
  if (code === "HPE_HEADER_OVERFLOW") {
    return new BrokerError(
      431,
      "BadRequest",
      `the request's headers and path together exceed ${maxHeaderBytes} bytes (limits.maxHeaderBytes); send a shorter request`,
    );
  }
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return new BrokerError(408, "Timeout", "the request was not received in time; send it again");
  }
  return new BadRequest("the request is not valid HTTP/1.1");
}
