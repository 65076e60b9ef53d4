import type { AccessRequest } from "./access-request.ts";

/** Where access requests live: Redis in production. */
export interface RequestStore {
  create(request: AccessRequest): Promise<void>;
  get(id: string): Promise<AccessRequest | undefined>;
  listByRequester(subject: string): Promise<AccessRequest[]>;
  listPending(): Promise<AccessRequest[]>;
  /** Ids of pending requests whose own TTL has passed by `now`. */
  pendingDue(now: number, limit: number): Promise<string[]>;
  /** Replaces the request if its stored version is `next.version - 1`; false if someone changed it first. */
  compareAndSet(next: AccessRequest): Promise<boolean>;
}
