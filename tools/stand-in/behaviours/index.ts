/** Per-kind rules, keyed by resource, for the store. */
import type { KindBehaviour } from "../store.ts";
import { certificatesigningrequests } from "./certificates.ts";
import { namespaces } from "./namespaces.ts";
import { pods } from "./pods.ts";
import { clusterrolebindings, clusterroles, rolebindings, roles } from "./rbac.ts";
import { secrets } from "./secrets.ts";

export const BEHAVIOURS: Record<string, KindBehaviour> = {
  namespaces,
  pods,
  secrets,
  roles,
  rolebindings,
  clusterroles,
  clusterrolebindings,
  certificatesigningrequests,
};
