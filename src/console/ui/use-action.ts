import { useState } from "preact/hooks";
import type { ApiError } from "./api.ts";

/**
 * A button's call to the API: busy while it runs (the button is disabled, so it is not sent
 * twice), and the API's refusal kept to show beside it.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const run = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}
