// What a cloud client needs to sign a call. Implemented in worker/credentials.ts; fetched per call so a
// refreshed STS token is used by the next call.
export interface CloudCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export type CredentialsGetter = () => Promise<CloudCredentials>;
