// The API gateway in front of DTS: common parameters, signature v1.0, timestamp, nonce, version, action.
import { gatewayErrors } from './errors';
import { NONCE_WINDOW_MS, type NonceStore } from './nonces';
import type { Params } from './params';
import { signRpc, signaturesEqual, stringToSign } from './signature';

export const CURRENT_VERSION = '2020-01-01';
export const LEGACY_VERSION = '2018-08-01';

export interface GatewayDeps {
  accessKeys: Record<string, string>;
  allowLegacyVersion: boolean;
  knownActions: ReadonlySet<string>;
  nonces: NonceStore;
  now: number;
  /** Another product's versions (R-KVStore), checked instead of DTS's. */
  versions?: readonly string[];
}

export interface VerifiedRequest {
  action: string;
  accessKeyId: string;
  version: string;
}

const REQUIRED = [
  'Action',
  'Version',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
];
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function present(params: Params, name: string): string | undefined {
  const value = params[name];
  return value === undefined || value === '' ? undefined : value;
}

export function verifyRequest(method: string, params: Params, deps: GatewayDeps): VerifiedRequest {
  for (const name of REQUIRED) {
    if (present(params, name) === undefined) throw gatewayErrors.missingParameter(name);
  }
  const signature = present(params, 'Signature');
  if (signature === undefined) throw gatewayErrors.incompleteSignature();
  const format = present(params, 'Format');
  if (format !== undefined && format.toUpperCase() !== 'JSON') throw gatewayErrors.unsupportedFormat();
  if (params.SignatureMethod !== 'HMAC-SHA1') throw gatewayErrors.invalidSignatureMethod();
  if (params.SignatureVersion !== '1.0') throw gatewayErrors.unsupportedSignatureVersion();
  const timestamp = params.Timestamp as string;
  const signedAt = TIMESTAMP.test(timestamp) ? Date.parse(timestamp) : NaN;
  if (Number.isNaN(signedAt)) throw gatewayErrors.timestampFormat();

  const accessKeyId = params.AccessKeyId as string;
  const secret = deps.accessKeys[accessKeyId];
  if (secret === undefined) throw gatewayErrors.accessKeyNotFound();
  if (!signaturesEqual(signRpc(method, params, secret), signature)) {
    throw gatewayErrors.signatureMismatch(stringToSign(method, params));
  }
  if (Math.abs(deps.now - signedAt) > NONCE_WINDOW_MS) throw gatewayErrors.timestampExpired();
  if (!deps.nonces.use(`${accessKeyId}\n${params.SignatureNonce}`, deps.now)) throw gatewayErrors.nonceUsed();

  const version = params.Version as string;
  if (deps.versions && !deps.versions.includes(version)) throw gatewayErrors.invalidVersion(version);
  if (!deps.versions && version === LEGACY_VERSION && !deps.allowLegacyVersion)
    throw gatewayErrors.legacyVersionRetired(version);
  if (!deps.versions && version !== CURRENT_VERSION && version !== LEGACY_VERSION)
    throw gatewayErrors.invalidVersion(version);
  const action = params.Action as string;
  if (!deps.knownActions.has(action)) throw gatewayErrors.actionNotFound();
  return { action, accessKeyId, version };
}
