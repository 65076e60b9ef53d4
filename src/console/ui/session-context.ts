import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Api } from "./api.ts";
import type { ConsoleSession } from "./types.ts";

export interface SessionContextValue {
  session: ConsoleSession;
  api: Api;
}

export const SessionContext = createContext<SessionContextValue | undefined>(undefined);

/** The signed-in session and the API client; every page renders below the boot that sets them. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside the signed-in console");
  return value;
}
