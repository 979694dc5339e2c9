import { describe, expect, it } from 'vitest';
import { businessFailure, classifyDtsError } from '../../activities/dts/errors';

// How a DTS error becomes an ApplicationFailure (activities/dts/errors.ts): its type and retryability decide what
// the workflow does, and its message must carry no URL, signature or password.
const popError = (code: string, more: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${code}: refused`), {
    code,
    data: { RequestId: 'req-9', Message: `${code} says no` },
    ...more,
  });

describe('classifyDtsError', () => {
  it.each([
    ['Throttling.User', 'DtsThrottled', true],
    ['Rejected.Throttling', 'DtsThrottled', true],
    ['ServiceUnavailable', 'DtsUnavailable', true],
    ['InternalError', 'DtsUnavailable', true],
    ['SignatureNonceUsed', 'DtsUnavailable', true],
    ['Forbidden.RAM', 'DtsCredentialsError', false],
    ['InvalidAccessKeyId.NotFound', 'DtsCredentialsError', false],
    ['InvalidTimeStamp.Expired', 'DtsCredentialsError', false],
    ['InsufficientBalance', 'DtsBillingError', false],
    ['OrderFailed', 'DtsBillingError', false],
    ['Forbidden.InstanceNotFound', 'DtsNotFound', false],
    ['InvalidJobId', 'DtsNotFound', false],
    ['IdempotentParameterMismatch', 'DtsIdempotencyMismatch', false],
    ['OperationDenied.JobStatusModifyConflict', 'DtsJobStatusConflict', false],
    ['InvalidParameter', 'DtsInvalidParameter', false],
    ['MissingRegionId', 'DtsInvalidParameter', false],
    ['DTS.Msg.InvalidParameter.Port', 'DtsInvalidParameter', false],
    ['UnsupportedOperation', 'DtsInvalidParameter', false],
    ['NoSuchVersion', 'DtsInvalidParameter', false],
    ['SomethingNew', 'DtsPermanentError', false],
  ])('%s is %s (retryable %s), with its code and RequestId', (code, type, retryable) => {
    const failure = classifyDtsError(popError(code, { entry: { response: { statusCode: 400 } } }), 'StartDtsJob', []);
    expect(failure).toMatchObject({ type, nonRetryable: !retryable });
    expect(failure.message).toBe(`StartDtsJob failed: ${code}: ${code} says no`);
    expect(failure.details).toEqual([{ action: 'StartDtsJob', code, httpStatus: 400, requestId: 'req-9' }]);
  });

  it('an unknown code answered with 5xx is a DTS outage; with 4xx or no status, a permanent refusal', () => {
    expect(classifyDtsError(popError('Weird', { entry: { response: { statusCode: 500 } } }), 'A', [])).toMatchObject({
      type: 'DtsUnavailable',
      nonRetryable: false,
    });
    expect(classifyDtsError(popError('Weird', { entry: { response: { statusCode: 499 } } }), 'A', [])).toMatchObject({
      type: 'DtsPermanentError',
      nonRetryable: true,
    });
    expect(classifyDtsError(popError('Weird', { entry: {} }), 'A', [])).toMatchObject({ type: 'DtsPermanentError' });
  });

  it.each([
    'ECONNRESET',
    'ECONNREFUSED',
    'EPIPE',
    'EAI_AGAIN',
    'ENOTFOUND',
    'ETIMEDOUT',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'ECONNABORTED',
  ])('the socket error %s is a network failure (no DTS answer), retried', (code) => {
    const failure = classifyDtsError(Object.assign(new Error('x'), { code }), 'CreateDtsInstance', []);
    expect(failure).toMatchObject({ type: 'DtsNetworkError', nonRetryable: false });
    expect(failure.message).toBe(`CreateDtsInstance: network error ${code}`);
  });

  it('a timeout, a gateway page, a hung-up socket and an error without code', () => {
    const timeout = classifyDtsError(Object.assign(new Error('t'), { name: 'RequestTimeoutError' }), 'A', []);
    expect(timeout).toMatchObject({ type: 'DtsTimeout', nonRetryable: false, message: 'A timed out' });
    const page = classifyDtsError(Object.assign(new Error('<html>'), { name: 'SyntaxError' }), 'A', []);
    expect(page).toMatchObject({ type: 'DtsUnavailable', nonRetryable: false });
    expect(page.message).toBe('A: DTS answered with a non-JSON body (a gateway error page)');
    // A body that parsed is no gateway page.
    const parsed = classifyDtsError(Object.assign(new Error('bad'), { name: 'SyntaxError', data: {} }), 'A', []);
    expect(parsed.type).toBe('DtsNetworkError');
    const hungUp = classifyDtsError(new Error('Socket hang up'), 'A', []);
    expect(hungUp).toMatchObject({ type: 'DtsNetworkError', message: 'A: network error (socket hang up)' });
    const odd = classifyDtsError(new Error('something odd'), 'A', []);
    expect(odd).toMatchObject({ type: 'DtsNetworkError', nonRetryable: false, message: 'A failed: something odd' });
    expect(classifyDtsError(undefined, 'A', []).message).toBe('A failed: undefined');
    // A numeric code is no DTS code.
    expect(classifyDtsError(Object.assign(new Error('n'), { code: 403 }), 'A', []).details).toEqual([
      { action: 'A', code: undefined, httpStatus: undefined },
    ]);
  });

  it('messages carry no URL (with its signature) and no secret, plain or URL-encoded', () => {
    const url = 'https://dts.aliyuncs.com/?Signature=abc%2Bdef&AccessKeyId=LTAI';
    const secret = 'p@ss word/1';
    const err = popError('InvalidParameter', {
      data: {
        Message: `bad password ${secret} and ${encodeURIComponent(secret)}, URL: ${url} POST ${url} failed. see ${url}`,
      },
    });
    const failure = classifyDtsError(err, 'ConfigureDtsJob', ['', secret]);
    expect(failure.message).toBe('ConfigureDtsJob failed: InvalidParameter: bad password *** and ***  see <url>');
    const plain = classifyDtsError(new Error(`GET ${url} failed, URL: ${url}`), 'A', [secret]);
    expect(plain.message).toBe('A failed: ');
    const httpOnly = classifyDtsError(new Error(`at http://10.0.0.1/x and more`), 'A', []);
    expect(httpOnly.message).toBe('A failed: at <url> and more');
    const noMessage = classifyDtsError(Object.assign(new Error('from message'), { code: 'InvalidX' }), 'A', []);
    expect(noMessage.message).toBe('A failed: InvalidX: from message');
  });
});

describe('businessFailure', () => {
  it('classifies a 2xx body with Success false by its code, keeping its status and RequestId', () => {
    const failure = businessFailure(
      { Success: false, ErrCode: 'Forbidden.RAM', ErrMessage: 'denied', HttpStatusCode: 403, RequestId: 'r-1' },
      'DescribeDtsJobs',
      [],
    );
    expect(failure).toMatchObject({
      type: 'DtsCredentialsError',
      message: 'DescribeDtsJobs failed: Forbidden.RAM: denied',
    });
    expect(failure.details).toEqual([
      { action: 'DescribeDtsJobs', code: 'Forbidden.RAM', httpStatus: 403, requestId: 'r-1' },
    ]);
    const bare = businessFailure({ Success: false, Code: 'Odd', Message: 'm', HttpStatusCode: 0 }, 'A', []);
    expect(bare).toMatchObject({ type: 'DtsPermanentError', message: 'A failed: Odd: m' });
    expect(bare.details).toEqual([{ action: 'A', code: 'Odd', httpStatus: undefined }]);
    expect(businessFailure({ HttpStatusCode: 503 }, 'A', [])).toMatchObject({
      type: 'DtsUnavailable',
      message: 'A failed: UnknownError: ',
    });
  });
});
