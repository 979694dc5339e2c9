import { ApplicationFailure } from '@temporalio/common';
import { text } from '../../common/text';
import { DtsFailure, type DtsFailureType } from '../../core/failures';

export { DtsFailure, type DtsFailureType };

export interface DtsErrorDetails {
  action: string;
  code?: string;
  requestId?: string;
  httpStatus?: number;
}

interface Rule {
  test: (code: string) => boolean;
  type: DtsFailureType;
  retryable: boolean;
}

const exact =
  (...codes: string[]) =>
  (code: string) =>
    codes.includes(code);
const prefix =
  (...prefixes: string[]) =>
  (code: string) =>
    prefixes.some((p) => code.startsWith(p));

// docs/dts-api.md §4.2. Order matters: the first rule that matches wins.
const RULES: Rule[] = [
  { test: prefix('Throttling', 'Rejected.Throttling'), type: DtsFailure.Throttled, retryable: true },
  {
    test: exact(
      'ServiceUnavailable',
      'InternalError',
      'SignatureNonceUsed',
      'CheckJobFailed.ServerUnAvailable',
      'DTS.Msg.CheckJobFailed.ServerUnAvailable',
      'SQLExecuteError',
    ),
    type: DtsFailure.Unavailable,
    retryable: true,
  },
  {
    test: prefix(
      'InvalidAccessKeyId',
      'SignatureDoesNotMatch',
      'IncompleteSignature',
      'InvalidSecurityToken',
      'InvalidTimeStamp',
      'IllegalTimestamp',
      'Forbidden.RAM',
      'Forbidden.RiskControl',
      'NoPermission',
      'DTS.Msg.RamPermissionDenied',
      'AssumeRoleFail',
    ),
    type: DtsFailure.Credentials,
    retryable: false,
  },
  {
    test: prefix('InsufficientBalance', 'Account.Arrearage', 'OrderFailed'),
    type: DtsFailure.Billing,
    retryable: false,
  },
  {
    test: prefix('Forbidden.InstanceNotFound', 'InvalidJobId', 'InvalidSynchronizationJobId.NotFound'),
    type: DtsFailure.NotFound,
    retryable: false,
  },
  { test: prefix('IdempotentParameterMismatch'), type: DtsFailure.IdempotencyMismatch, retryable: false },
  {
    test: (code) => /JobStatus|TaskStatus|OperationDenied|InitStatus/.test(code),
    type: DtsFailure.JobStatusConflict,
    retryable: false,
  },
  {
    test: prefix('Missing', 'Invalid', 'DTS.Msg.InvalidParameter', 'UnsupportedOperation', 'NoSuchVersion'),
    type: DtsFailure.InvalidParameter,
    retryable: false,
  },
];

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

/** A classified DTS error, free of URLs, signatures and passwords. */
export function classifyDtsError(err: unknown, action: string, secrets: string[]): ApplicationFailure {
  const e = (err ?? {}) as {
    name?: string;
    code?: unknown;
    message?: string;
    data?: Record<string, unknown>;
    entry?: { response?: { statusCode?: number } };
  };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const details: DtsErrorDetails = { action, code, httpStatus: e.entry?.response?.statusCode };
  if (e.data && typeof e.data.RequestId === 'string') details.requestId = e.data.RequestId;

  if (e.name === 'RequestTimeoutError') {
    // Ambiguous: the call may have taken effect. Retrying is safe only because every
    // mutating call is idempotent (ClientToken, configure-once check, delete-if-present).
    return failure(`${action} timed out`, DtsFailure.Timeout, true, details);
  }
  if (e.name === 'SyntaxError' && !e.data) {
    return failure(
      `${action}: DTS answered with a non-JSON body (a gateway error page)`,
      DtsFailure.Unavailable,
      true,
      details,
    );
  }
  if (code && NETWORK_CODES.has(code)) {
    return failure(`${action}: network error ${code}`, DtsFailure.Network, true, details);
  }
  if (/socket hang up/i.test(e.message ?? '')) {
    return failure(`${action}: network error (socket hang up)`, DtsFailure.Network, true, details);
  }
  if (code) {
    const rule = RULES.find((r) => r.test(code));
    const message = scrub(`${action} failed: ${code}: ${stripUrl(text(e.data?.Message ?? e.message))}`, secrets);
    if (rule) return failure(message, rule.type, rule.retryable, details);
    const serverSide = (details.httpStatus ?? 0) >= 500;
    return failure(message, serverSide ? DtsFailure.Unavailable : DtsFailure.Permanent, serverSide, details);
  }
  return failure(
    scrub(`${action} failed: ${stripUrl(e.message ?? String(err))}`, secrets),
    DtsFailure.Network,
    true,
    details,
  );
}

/** DTS business failure inside a 2xx body: `{ Success: false, ErrCode, ErrMessage }`. */
export function businessFailure(body: Record<string, unknown>, action: string, secrets: string[]): ApplicationFailure {
  const code = text(body.ErrCode ?? body.Code, 'UnknownError');
  const httpStatus = Number(body.HttpStatusCode);
  return classifyDtsError(
    {
      code,
      message: text(body.ErrMessage ?? body.Message),
      data: { RequestId: body.RequestId, Message: body.ErrMessage },
      // The HTTP status the error means, where the body names it (a 5xx is retried like one on the wire).
      ...(Number.isInteger(httpStatus) && httpStatus > 0 ? { entry: { response: { statusCode: httpStatus } } } : {}),
    },
    action,
    secrets,
  );
}

function failure(
  message: string,
  type: DtsFailureType,
  retryable: boolean,
  details: DtsErrorDetails,
): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: !retryable, details: [details] });
}

// pop-core appends ", URL: <url>" (GET URLs carry every parameter) or "<METHOD> <url> failed.".
function stripUrl(message: string): string {
  return message
    .replace(/,?\s*URL:\s*\S+/g, '')
    .replace(/(GET|POST)\s+https?:\/\/\S+\s+failed\.?/g, '')
    .replace(/https?:\/\/\S+/g, '<url>')
    .trim();
}

function scrub(message: string, secrets: string[]): string {
  let out = message;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('***').split(encodeURIComponent(secret)).join('***');
  }
  return out;
}
