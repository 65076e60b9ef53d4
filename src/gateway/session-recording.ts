import type { Grant } from "../grants/index.ts";
import type { RequestContext } from "./audit-fields.ts";

/**
 * What the gateway hands an exec or attach session's recorder: copies of the bytes it relays
 * each way, as they pass. The recorder only reads them (the relay is untouched and waits for
 * nothing) and must never throw.
 */
export interface SessionTap {
  /** The WebSocket subprotocol the cluster chose (v5/v4.channel.k8s.io), before any frame. */
  negotiated(protocol: string): void;
  /** Bytes from the client, after its request head. */
  fromClient(chunk: Buffer): void;
  /** Bytes from the cluster (SPDY: its 101 response head first). */
  fromServer(chunk: Buffer): void;
  /** The session is over; `reason` when the broker ended it. */
  end(reason?: string): void;
}

/** The recordings feature, as the gateway sees it (src/recording implements it). */
export interface SessionRecordings {
  /**
   * Starts the recording of an exec or attach that was just admitted, or resolves undefined
   * when its cluster and role do not record. Throws the Status to refuse with (Unavailable)
   * when recording is required and cannot start. Later, `control` slows the session while
   * its recording catches up, and ends it when a required recording can no longer be written.
   */
  begin(
    session: { ctx: RequestContext; grant: Grant; transport: "websocket" | "spdy" },
    control: SessionControl,
  ): Promise<SessionTap | undefined>;
}

/** What the recorder may do to the session it records. */
export interface SessionControl {
  /** Ends the session: a required recording can no longer be written. */
  cut(reason: string): void;
  /** Holds the session's reading while the recording catches up; `resume` lets it go on. */
  pause(): void;
  resume(): void;
}
