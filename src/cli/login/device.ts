import { setTimeout as sleep } from "node:timers/promises";
import type { Clock } from "../../shared/clock.ts";
import type { BrokerClient } from "../broker/broker-client.ts";
import { CliError } from "../cli-error.ts";
import type { Progress } from "../output/progress.ts";
import { asSessionBody, type SessionBody } from "./session-body.ts";

/**
 * The device login, for machines without a browser: show the code and URL, then poll the
 * broker at the interval it asks for until the person has signed in elsewhere.
 */
interface DeviceStart {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  interval: number;
  expires_in: number;
}

export async function deviceLogin(options: {
  client: BrokerClient;
  say(line: string): void;
  clock: Clock;
  /** Shows the wait once the code is out. */
  progress(): Progress;
  /** The identity provider to sign in at (needed when the broker has several). */
  idp?: string | undefined;
}): Promise<SessionBody> {
  const { client, say } = options;
  const device = await client.post<DeviceStart>("/v1/login/device", options.idp ? { idp: options.idp } : {});
  say(`To sign in, open ${device.verification_uri} and enter the code ${device.user_code}`);
  if (device.verification_uri_complete) say(`(or open ${device.verification_uri_complete})`);
  const deadline = options.clock.now() + device.expires_in * 1000;
  let interval = device.interval;
  const progress = options.progress();
  try {
    while (options.clock.now() < deadline) {
      await sleep(interval * 1000);
      const answer = await client.post<{ session?: unknown; interval?: number }>("/v1/login/device/token", {
        device_code: device.device_code,
      });
      if (answer.session !== undefined) return asSessionBody(answer);
      if (typeof answer.interval === "number") interval = answer.interval;
    }
  } finally {
    progress.done();
  }
  throw new CliError("the device sign-in expired; run kubectl broker login --device again");
}
