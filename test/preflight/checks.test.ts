import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  evaluatePreflight,
  REGION_RULE_SOURCES,
  type InstanceFacts,
  type PreflightInput,
} from '../../core/preflight-checks';

// The rules alone, for the outcomes a working emulator cannot produce (a RAM denial, a failed read).
const input: PreflightInput = {
  topology: 'oneway',
  region: 'cn-hangzhou',
  source: { kind: 'enterprise', instanceId: 'r-a', region: 'cn-hangzhou' },
  destination: { kind: 'enterprise', instanceId: 'r-b', region: 'cn-hangzhou' },
  acceptRisks: [],
};
const tair = (instanceId: string): InstanceFacts => ({
  instanceId,
  status: 'Normal',
  regionId: 'cn-hangzhou',
  instanceType: 'Tair',
  engineVersion: '5.0',
  maxmemoryPolicy: 'noeviction',
  directConnection: true,
});
const ok = <T>(value: T) => ({ ok: true as const, value });

describe('preflight rules', () => {
  it('fails the credentials check naming the API a RAM policy denies', () => {
    const report = evaluatePreflight(input, {
      source: ok(tair('r-a')),
      destination: {
        ok: false,
        error: {
          api: 'R-KVStore',
          action: 'DescribeInstanceAttribute',
          type: 'DtsCredentialsError',
          code: 'Forbidden.RAM',
          message: 'denied',
        },
      },
      dtsDirections: {
        ok: false,
        error: {
          api: 'DTS',
          action: 'DescribeSynchronizationJobs',
          type: 'DtsCredentialsError',
          code: 'Forbidden.RAM',
          message: 'denied',
        },
      },
      ownDirections: [],
    });
    expect(report.ok).toBe(false);
    const credentials = report.items.find((i) => i.check === 'credentials');
    expect(credentials).toMatchObject({ outcome: 'fail', advice: expect.stringContaining('deploy/ram-policy.json') });
    expect(credentials?.message).toContain('R-KVStore DescribeInstanceAttribute (Forbidden.RAM)');
    expect(credentials?.message).toContain('DTS DescribeSynchronizationJobs');
  });

  it('reports a read that got no answer instead of passing it', () => {
    const report = evaluatePreflight(input, {
      source: ok(tair('r-a')),
      destination: ok(tair('r-b')),
      dtsDirections: {
        ok: false,
        error: {
          api: 'DTS',
          action: 'DescribeSynchronizationJobs',
          type: 'DtsUnavailable',
          message: 'no answer in time',
        },
      },
      ownDirections: [],
    });
    expect(report.items.find((i) => i.check === 'credentials')).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining('no answer'),
    });
  });

  it('allows different mainland regions but not across Hong Kong or overseas', () => {
    const facts = { source: ok(tair('r-a')), destination: ok(tair('r-b')), dtsDirections: ok([]), ownDirections: [] };
    const regions = (s: string, d: string) =>
      evaluatePreflight(
        { ...input, source: { ...input.source, region: s }, destination: { ...input.destination, region: d } },
        facts,
      ).items.find((i) => i.check === 'regions')?.outcome;
    expect(regions('cn-hangzhou', 'cn-beijing')).toBe('pass');
    expect(regions('cn-hongkong', 'cn-shenzhen')).toBe('fail');
    const refused = evaluatePreflight(
      {
        ...input,
        source: { ...input.source, region: 'cn-hongkong' },
        destination: { ...input.destination, region: 'ap-southeast-1' },
      },
      facts,
    ).items.find((i) => i.check === 'regions');
    // The report names the rule and the reference page it comes from.
    expect(refused?.message).toMatch(/CreateSynchronizationJob.*api-createsynchronizationjob/);
    expect(regions('ap-southeast-1', 'ap-southeast-1')).toBe('pass');
    // The page's rule is about the source: a mainland source may go abroad.
    expect(regions('cn-hangzhou', 'ap-southeast-1')).toBe('pass');
  });

  it('applies the region rule of the DTS API family in use, naming it and its page', () => {
    const facts = { source: ok(tair('r-a')), destination: ok(tair('r-b')), dtsDirections: ok([]), ownDirections: [] };
    const regions = (api: 'dtsjob' | 'synchronizationjob', s: string, d: string) =>
      evaluatePreflight(
        { ...input, api, source: { ...input.source, region: s }, destination: { ...input.destination, region: d } },
        facts,
      ).items.find((i) => i.check === 'regions');
    expect(regions('dtsjob', 'cn-hongkong', 'ap-southeast-1')).toMatchObject({
      outcome: 'pass',
      message: expect.stringContaining('cross-region'),
    });
    expect(regions('dtsjob', 'cn-hongkong', 'ap-southeast-1')?.message).toContain(REGION_RULE_SOURCES.dtsjob);
    expect(regions('dtsjob', 'cn-hangzhou', 'ap-southeast-1')?.message).toContain('cross-border');
    expect(regions('synchronizationjob', 'cn-hongkong', 'ap-southeast-1')).toMatchObject({
      outcome: 'fail',
      message: expect.stringContaining(REGION_RULE_SOURCES.synchronizationjob),
    });
  });

  it('compares engine versions numerically', () => {
    expect(compareVersions('5.0', '4.0')).toBeGreaterThan(0);
    expect(compareVersions('7.0', '10.0')).toBeLessThan(0);
    expect(compareVersions('5', '5.0')).toBe(0);
  });
});
