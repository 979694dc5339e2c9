import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { ROLES, type Caller, type Role } from './auth';

/** Single sign-on: JWTs from the organisation's identity provider, checked against its published keys. */
export interface JwtConfig {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** The claim that holds the role: a role word, or a list (the highest role in it counts). */
  roleClaim: string;
  /** Signature algorithms accepted; never `none`, never an HMAC one (the keys are public). */
  algorithms: string[];
  /** After a token names a key the cached set lacks, how long before the set may be fetched again. */
  refetchCooldownMs?: number;
}

export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

type Verified = { caller: Caller } | { reason: string; unavailable?: never } | { unavailable: string; reason?: never };

/** Three base64url parts: the only shape worth handing to the verifier (the last is empty for `alg: none`). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export class JwtVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: JwtConfig) {
    // Keys are cached and fetched again when a token names an unknown `kid` (the provider rotated them).
    this.keys = createRemoteJWKSet(new URL(config.jwksUrl), {
      cooldownDuration: config.refetchCooldownMs ?? 30_000,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 5_000,
    });
  }

  looksLikeJwt(token: string): boolean {
    return COMPACT_JWS.test(token);
  }

  async verify(token: string): Promise<Verified> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: this.config.algorithms,
        requiredClaims: ['sub', 'exp'],
        clockTolerance: 30,
      }));
    } catch (err) {
      return refusalOf(err);
    }
    const role = highestRole(payload[this.config.roleClaim]);
    return { caller: { name: payload.sub!, ...(role ? { role } : {}), via: 'jwt' } };
  }
}

/** Why a JWT is refused, in words safe to send back (no claim values). */
function refusalOf(err: unknown): Verified {
  if (err instanceof errors.JWTExpired) return { reason: 'expired' };
  if (err instanceof errors.JWTClaimValidationFailed) return { reason: `claim ${err.claim} ${err.reason}` };
  if (err instanceof errors.JOSEAlgNotAllowed) return { reason: 'signature algorithm not allowed' };
  if (err instanceof errors.JWSSignatureVerificationFailed) return { reason: 'bad signature' };
  if (err instanceof errors.JWKSNoMatchingKey)
    return { reason: 'signed by a key the identity provider does not publish' };
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError))
    return { unavailable: "the identity provider's keys could not be fetched; try again later" };
  return { reason: 'malformed' };
}

function highestRole(claim: unknown): Role | undefined {
  const values = Array.isArray(claim) ? claim : [claim];
  let best = -1;
  for (const value of values) best = Math.max(best, ROLES.indexOf(value as Role));
  return best >= 0 ? ROLES[best] : undefined;
}
