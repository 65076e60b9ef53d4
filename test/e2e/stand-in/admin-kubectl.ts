/** A seeded stand-in and a kubectl sandbox with its admin kubeconfig: the set-up of the client-compatibility tests. */
import { join } from "node:path";
import { type StandIn, startStandIn } from "../../../tools/stand-in/index.ts";
import { type KubectlResult, type KubectlSandbox, kubectlSandbox } from "../../../tools/stand-in/kubectl.ts";

export interface AdminKubectl {
  standIn: StandIn;
  kubectl: KubectlSandbox;
  kubeconfig: string;
  /** kubectl with the admin kubeconfig (relative paths resolve against the test process's cwd). */
  run(args: string[], options?: { input?: string }): Promise<KubectlResult>;
  close(): Promise<void>;
}

export async function startAdminKubectl(): Promise<AdminKubectl> {
  const standIn = await startStandIn();
  await standIn.seedDemo();
  const kubectl = await kubectlSandbox();
  const kubeconfig = join(kubectl.dir, "admin.kubeconfig");
  await standIn.writeKubeconfig(kubeconfig);
  return {
    standIn,
    kubectl,
    kubeconfig,
    run: (args, options = {}) => kubectl.run(kubeconfig, args, options),
    close: async () => {
      await kubectl.cleanup();
      await standIn.close();
    },
  };
}
