// The R-KVStore front: same gateway checks as DTS (signature, timestamp, nonce), its own version and actions.
import { gatewayErrors } from '../errors';
import { verifyRequest } from '../gateway';
import type { NonceStore } from '../nonces';
import type { ResolvedOptions } from '../options';
import { authorize, resourceName } from '../ram';
import { rejectClientBugLiterals, type Params } from '../params';
import type { EmulatorState } from '../state';
import { RKVSTORE_VERSION, rkvstoreOperations } from './operations';

export { RKVSTORE_VERSION } from './operations';

const knownActions = new Set(Object.keys(rkvstoreOperations));

/** Answers one R-KVStore call; throws ApiError like the DTS operations do. */
export function answerRkvstore(
  deps: { state: EmulatorState; nonces: NonceStore; options: ResolvedOptions },
  method: string,
  params: Params,
  requestId: string,
  now: number,
): { status: number; body: Record<string, unknown> } {
  const { action } = verifyRequest(method, params, {
    accessKeys: deps.options.accessKeys,
    allowLegacyVersion: false,
    knownActions,
    nonces: deps.nonces,
    now,
    versions: [RKVSTORE_VERSION],
  });
  authorize(deps.options.ram, `kvstore:${action}`, resourceName('kvstore', params.RegionId, params.InstanceId));
  rejectClientBugLiterals(params);
  const operation = rkvstoreOperations[action];
  if (!operation) throw gatewayErrors.actionNotFound();
  return { status: 200, body: { RequestId: requestId, ...operation(params, deps.state.registry, deps.state.redis) } };
}
