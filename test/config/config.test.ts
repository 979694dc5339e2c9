import { describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../api/config';
import { ConfigError } from '../../common/env';
import { dtsCallsPerSecondPerWorker, loadWorkerConfig } from '../../worker/config';

const KEY = `k1:${Buffer.alloc(32, 1).toString('base64')}`;

function problemsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('process configuration', () => {
  it('stops the worker at start naming every missing or invalid variable', () => {
    const problems = problemsOf(() =>
      loadWorkerConfig({
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
        DTS_ENDPOINT: 'dts.aliyuncs.com',
        DTS_TIMEOUT_MS: 'soon',
        PAYLOAD_KEYS: 'k1:short',
      }),
    );
    expect(problems.join('\n')).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET go together/);
    expect(problems.join('\n')).toMatch(/DTS_ENDPOINT must be an http\(s\) URL/);
    expect(problems.join('\n')).toMatch(/DTS_TIMEOUT_MS must be an integer/);
    expect(problems.join('\n')).toMatch(/PAYLOAD_KEYS entry "k1:…" must be keyId:base64 of 32 bytes/);
  });

  it('defaults the worker to the real DTS endpoint and API version', () => {
    const config = loadWorkerConfig({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
      PAYLOAD_KEYS: KEY,
    });
    expect(config.dts).toMatchObject({ endpoint: 'https://dts.aliyuncs.com', apiVersion: '2020-01-01' });
    expect(config.payloadKeys.currentKeyId).toBe('k1');
  });

  it('refuses a DTS timeout that does not fit in the DTS activity timeout after the rate-limit wait', () => {
    const base = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret', PAYLOAD_KEYS: KEY };
    // Default wait: 10 s lane limit + 50 calls spaced 52.5 ms (20 per second, 5 % wider) = 12.625 s, so
    // 17.375 s is the most that fits in 30 s.
    expect(problemsOf(() => loadWorkerConfig({ ...base, DTS_TIMEOUT_MS: '17375' }))).toEqual([]);
    expect(problemsOf(() => loadWorkerConfig({ ...base, DTS_TIMEOUT_MS: '17500' }))).not.toEqual([]);
    const tooLong = problemsOf(() => loadWorkerConfig({ ...base, DTS_TIMEOUT_MS: '20000' })).join('\n');
    expect(tooLong).toMatch(/DTS_TIMEOUT_MS \(20000 ms\) plus the longest wait for a rate-limit slot \(12625 ms/);
    expect(tooLong).toMatch(/at most 17375/);
    // Fewer calls in flight per worker shorten the wait, so the same timeout fits.
    expect(
      problemsOf(() => loadWorkerConfig({ ...base, DTS_TIMEOUT_MS: '18900', DTS_MAX_CONCURRENT_CALLS: '20' })),
    ).toEqual([]);
  });

  it('requires API tokens and refuses an open codec off loopback', () => {
    expect(problemsOf(() => loadApiConfig({ PAYLOAD_KEYS: KEY })).join('\n')).toMatch(/API_TOKENS is required/);
    const open = problemsOf(() =>
      loadApiConfig({
        PAYLOAD_KEYS: KEY,
        API_TOKENS: 'a-long-enough-token',
        API_HOST: '0.0.0.0',
        CODEC_REQUIRE_TOKEN: 'false',
      }),
    );
    expect(open.join('\n')).toMatch(/CODEC_REQUIRE_TOKEN=false is allowed only when API_HOST is a loopback address/);
    expect(
      problemsOf(() =>
        loadApiConfig({ PAYLOAD_KEYS: KEY, API_TOKENS: 'a-long-enough-token', CODEC_REQUIRE_TOKEN: 'false' }),
      ),
    ).toEqual([]);
  });

  it('gives the API read access to DTS only when an AccessKey is set', () => {
    const base = { PAYLOAD_KEYS: KEY, API_TOKENS: 'a-long-enough-token' };
    expect(loadApiConfig(base).dts).toBeUndefined();
    expect(problemsOf(() => loadApiConfig({ ...base, ALIBABA_CLOUD_ACCESS_KEY_ID: 'id' })).join('\n')).toMatch(
      /ALIBABA_CLOUD_ACCESS_KEY_SECRET is required/,
    );
    const config = loadApiConfig({
      ...base,
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
      DTS_ENDPOINT: 'http://127.0.0.1:8780',
    });
    expect(config.dts).toMatchObject({ endpoint: 'http://127.0.0.1:8780', accessKeyId: 'id' });
  });
});

describe('the DTS budget', () => {
  it('is shared by the DTS_WORKERS processes: each spends its share of DTS_MAX_CALLS_PER_SECOND', () => {
    const config = loadWorkerConfig({
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'id',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret',
      PAYLOAD_KEYS: KEY,
      DTS_MAX_CALLS_PER_SECOND: '20',
      DTS_WORKERS: '4',
    });
    expect(config.dtsWorkers).toBe(4);
    expect(dtsCallsPerSecondPerWorker(config)).toBe(5);
    expect(dtsCallsPerSecondPerWorker({ dtsMaxCallsPerSecond: 20, dtsWorkers: 1 })).toBe(20);
  });
});

describe('the R-KVStore budget', () => {
  const base = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret', PAYLOAD_KEYS: KEY };

  it('is its own, apart from the DTS budget, 60 a second unless set', () => {
    expect(loadWorkerConfig(base).rkvstoreMaxCallsPerSecond).toBe(60);
    const config = loadWorkerConfig({ ...base, RKVSTORE_MAX_CALLS_PER_SECOND: '7.5', DTS_MAX_CALLS_PER_SECOND: '3' });
    expect([config.rkvstoreMaxCallsPerSecond, config.dtsMaxCallsPerSecond]).toEqual([7.5, 3]);
  });

  it('names the variable when it is not a budget', () => {
    expect(() => loadWorkerConfig({ ...base, RKVSTORE_MAX_CALLS_PER_SECOND: '0' })).toThrow(
      /RKVSTORE_MAX_CALLS_PER_SECOND/,
    );
  });
});
