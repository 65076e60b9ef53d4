import { pino } from "pino";

export type Logger = pino.Logger;

/**
 * Structured JSON logs. Anything that could hold a credential is redacted by path, so a
 * careless `log.info({ req })` still cannot leak a bearer token or a session secret.
 */
export const REDACT_PATHS = [
  "token",
  "*.token",
  "accessToken",
  "idToken",
  "refreshToken",
  "*.refreshToken",
  "clientSecret",
  "*.clientSecret",
  "password",
  "secret",
  "session",
  "code",
  "codeVerifier",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-kube-broker-session"]',
];

export function createLogger(options: { level?: string; name?: string; file?: string } = {}): Logger {
  return pino(
    {
      name: options.name ?? "kube-broker",
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.file ? pino.destination({ dest: options.file, mkdir: true, sync: false }) : undefined,
  );
}

/** A logger that writes nothing, for tests and one-shot commands. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
