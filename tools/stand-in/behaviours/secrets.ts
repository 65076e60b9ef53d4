/** Secrets: `stringData` is write-only and folded into base64 `data`; `type` defaults to Opaque. */
import type { KubeObject } from "../objects.ts";
import type { KindBehaviour } from "../store.ts";

function foldStringData(secret: KubeObject): void {
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData) {
    const data = (secret.data ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(value).toString("base64");
    secret.data = data;
    delete secret.stringData;
  }
  secret.type ??= "Opaque";
}

export const secrets: KindBehaviour = {
  prepareForCreate: foldStringData,
  prepareForUpdate: foldStringData,
};
