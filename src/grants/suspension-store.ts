/**
 * A person's standing access to one cluster, withheld until an admin lifts it (an alert
 * rule's `require-approval` action). Access requested and approved through a request is
 * not affected.
 */
export interface Suspension {
  cluster: string;
  /** The person, by the name audit records and grants show (the principal's name). */
  user: string;
  /** Their subject, when whoever suspended them knew it. */
  subject?: string;
  /** Who suspended it: "alert rule exec-in-prod". */
  by: string;
  /** Why, for people: the alert and the record that fired it. */
  reason: string;
  /** When (ms). */
  at: number;
  /** The alert that suspended it, if one did. */
  alert?: string;
}

/** Where suspensions live. Redis in production. */
export interface SuspensionStore {
  /** Stores it unless the person is suspended on that cluster already; true when this call did. */
  create(suspension: Suspension): Promise<boolean>;
  get(cluster: string, user: string): Promise<Suspension | undefined>;
  list(): Promise<Suspension[]>;
  /** Deletes it and returns it; undefined when there was none. */
  delete(cluster: string, user: string): Promise<Suspension | undefined>;
}
