/** Who a presented token says it is: a ServiceAccount, until when. */
export interface PresentedIdentity {
  namespace: string;
  name: string;
  uid: string;
  /** ms */
  expiresAt: number;
}

/** Checks a bearer token presented to the gateway; one per cluster, as configured. */
export interface TokenAuthenticator {
  /** Throws Unauthorized for anything but a valid ServiceAccount token with the expected audience. */
  authenticate(token: string): Promise<PresentedIdentity>;
}

export const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
