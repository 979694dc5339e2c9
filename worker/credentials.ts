// Alibaba Cloud credentials for every cloud client of the worker (DTS, R-KVStore).
// Without an AccessKey in the worker's configuration they come from @alicloud/credentials' default chain:
// environment AccessKey (+ STS token), OIDC/RRSA on ACK, the CLI and credentials-file profiles, the ECS RAM role.
// Temporary credentials are fetched again before they expire. Nothing here logs a credential.
import Credential from '@alicloud/credentials';
import type { CloudCredentials, CredentialsGetter } from '../activities/credentials';

export type { CloudCredentials, CredentialsGetter } from '../activities/credentials';

/** Credentials with their expiry, as an STS-issuing source reports them. */
export interface ExpiringCredentials extends CloudCredentials {
  /** Epoch ms; absent for long-lived AccessKeys. */
  expiresAt?: number;
}

/**
 * Caches what `fetch` returns and fetches again `marginMs` before it expires, once for all callers,
 * so no call is signed with an expired token.
 */
export function refreshingCredentials(
  fetch: () => Promise<ExpiringCredentials>,
  { marginMs = 5 * 60_000, now = Date.now }: { marginMs?: number; now?: () => number } = {},
): CredentialsGetter {
  let current: ExpiringCredentials | undefined;
  let pending: Promise<ExpiringCredentials> | undefined;
  const fresh = (c: ExpiringCredentials | undefined) =>
    c !== undefined && (c.expiresAt === undefined || c.expiresAt - now() > marginMs);
  return async () => {
    if (!fresh(current)) {
      pending ??= fetch().finally(() => (pending = undefined));
      current = await pending;
    }
    const { expiresAt: _expiresAt, ...credentials } = current as ExpiringCredentials;
    return credentials;
  };
}

/** The default provider chain; its session providers (STS, RAM role, OIDC) refresh before expiry themselves. */
export function defaultChainCredentials(
  credential: Pick<Credential, 'getCredential'> = new Credential(),
): CredentialsGetter {
  return async () => {
    const model = await credential.getCredential();
    if (!model.accessKeyId || !model.accessKeySecret)
      throw new Error('Alibaba Cloud credentials: the provider chain gave no AccessKey');
    return {
      accessKeyId: model.accessKeyId,
      accessKeySecret: model.accessKeySecret,
      ...(model.securityToken ? { securityToken: model.securityToken } : {}),
    };
  };
}

/** An AccessKey given in the worker's configuration wins (the local stack, tests); otherwise the default chain. */
export function workerCredentials(configured: Partial<CloudCredentials>): CredentialsGetter {
  if (configured.accessKeyId && configured.accessKeySecret) {
    const fixed: CloudCredentials = {
      accessKeyId: configured.accessKeyId,
      accessKeySecret: configured.accessKeySecret,
      ...(configured.securityToken ? { securityToken: configured.securityToken } : {}),
    };
    return async () => fixed;
  }
  return defaultChainCredentials();
}
