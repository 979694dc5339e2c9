import { randomUUID } from 'node:crypto';

/** An error the emulator answers with the gateway error body (the shape pop-core throws on). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const HOST_ID = 'dts.aliyuncs.com';

export function newRequestId(): string {
  return randomUUID().toUpperCase();
}

export function errorBody(error: ApiError, requestId: string): Record<string, string> {
  return {
    RequestId: requestId,
    HostId: HOST_ID,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Dts&requestId=${requestId}`,
  };
}

/**
 * The envelope every DTS response model carries: HTTP 200 with `Success: "false"`, `ErrCode`, `ErrMessage`
 * (dialect errorEnvelope=body). `HttpStatusCode` is the DtsJob family's field for the status it means.
 */
export function errorEnvelopeBody(error: ApiError, requestId: string): Record<string, unknown> {
  return {
    RequestId: requestId,
    Success: 'false',
    ErrCode: error.code,
    ErrMessage: error.message,
    HttpStatusCode: error.httpStatus,
  };
}

// Gateway-level rejections (docs/dts-api.md §4.2, §5.4).
export const gatewayErrors = {
  missingParameter: (name: string) =>
    new ApiError(
      `Missing${name}`,
      400,
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    ),
  incompleteSignature: () =>
    new ApiError('IncompleteSignature', 400, 'The request signature does not conform to Aliyun standards.'),
  invalidSignatureMethod: () =>
    new ApiError('InvalidSignatureMethod', 400, 'Specified signature method is not valid; use HMAC-SHA1.'),
  unsupportedSignatureVersion: () =>
    new ApiError('UnsupportedSignatureVersion', 400, 'Specified signature version is not supported; use 1.0.'),
  unsupportedFormat: () => new ApiError('InvalidParameter.Format', 400, 'This emulator answers only Format=JSON.'),
  timestampFormat: () =>
    new ApiError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.'),
  timestampExpired: () =>
    new ApiError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.'),
  accessKeyNotFound: () => new ApiError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.'),
  signatureMismatch: (stringToSign: string) =>
    new ApiError(
      'SignatureDoesNotMatch',
      400,
      `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`,
    ),
  nonceUsed: () => new ApiError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  invalidVersion: (version: string) =>
    new ApiError('InvalidVersion', 400, `Specified parameter Version "${version}" is not valid.`),
  legacyVersionRetired: (version: string) =>
    new ApiError(
      'InvalidVersion',
      400,
      `API version ${version} of the synchronization operations has been phased out; use Version=2020-01-01.`,
    ),
  actionNotFound: () =>
    new ApiError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.'),
  unsupportedMethod: () =>
    new ApiError('UnsupportedHTTPMethod', 400, 'Specified HTTP method is not supported; use GET or POST.'),
  malformedRequest: (why: string) => new ApiError('InvalidParameter', 400, `Malformed request: ${why}.`),
  bodyTooLarge: () => new ApiError('InvalidParameter', 413, 'Request body is larger than 1 MB.'),
};

// Operation-level rejections.
export const operationErrors = {
  missing: (name: string) => gatewayErrors.missingParameter(name),
  /** A value outside the reference's type, enum or range (emulator/reference/dts.ts). */
  invalidParameter: (name: string, why: string) =>
    new ApiError('InvalidParameter', 400, `The specified parameter "${name}" is not valid: ${why}.`),
  invalid: (name: string, why: string) =>
    new ApiError(`Invalid${name}`, 400, `The specified parameter "${name}" is not valid: ${why}.`),
  jobNotFound: (jobId: string) =>
    new ApiError('Forbidden.InstanceNotFound', 404, `The specified instance ${jobId} is not found or was released.`),
  jobStatus: (why: string) => new ApiError('OperationDenied.JobStatus', 403, `Operation denied: ${why}.`),
  idempotentMismatch: () =>
    new ApiError(
      'IdempotentParameterMismatch',
      400,
      'The ClientToken was used before with different request parameters.',
    ),
};

// Injected transient failures (faults).
export const faultErrors = {
  throttling: () => new ApiError('Throttling.User', 400, 'Request was denied due to user flow control.'),
  unavailable: () =>
    new ApiError('ServiceUnavailable', 503, 'The request has failed due to a temporary failure of the server.'),
  internalError: () =>
    new ApiError('InternalError', 500, 'The request processing has failed due to some unknown error.'),
  /** Fault kind `error`: any code with any status, e.g. Forbidden.RAM 403 after a RAM policy edit. */
  custom: (code: string, httpStatus = 400, message?: string) =>
    new ApiError(code, httpStatus, message ?? `Injected error ${code}.`),
};
