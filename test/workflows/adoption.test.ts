import { describe, expect, it } from 'vitest';
import { toSetupRequest } from '../../api/setup-request';
import { adoptionDifferences, adoptionRequestOf, type DtsJobFacts } from '../../core/adoption';
import { syncRequest } from '../support/requests';

// The pure rules of an adoption (issue 13): where a DTS job differs from the request, and which request
// fields an adoption refuses. The end-to-end path is test/workflows/adopt.int.test.ts.
const request = syncRequest({ topology: 'bidirectional' });
const src = request.source.instanceId!;
const dst = request.destination.instanceId!;
const redis = (instanceId: string) => ({ instanceType: 'Redis', instanceId });

function job(overrides: Partial<DtsJobFacts> = {}): DtsJobFacts {
  return {
    dtsJobId: 'dtsadopt0001',
    inRegion: true,
    name: 'outside',
    jobClass: 'small',
    payType: 'PostPaid',
    topology: 'bidirectional',
    forward: {
      configured: true,
      status: 'synchronizing',
      rawStatus: 'Synchronizing',
      source: redis(src),
      destination: redis(dst),
      databases: [{ from: 0, to: 0 }],
    },
    reverse: { configured: false, status: 'notconfigured', rawStatus: 'NotConfigured' },
    ...overrides,
  };
}
const fields = (j: DtsJobFacts, r = adoptionRequestOf(request)) => adoptionDifferences(r, j).map((d) => d.field);

describe('adoption rules', () => {
  it('accepts the job the request describes, Reverse in either endpoint order', () => {
    expect(fields(job())).toEqual([]);
    const reverse = (a: string, b: string) => ({
      configured: true,
      status: 'synchronizing' as const,
      rawStatus: 'Synchronizing',
      source: redis(a),
      destination: redis(b),
    });
    expect(fields(job({ reverse: reverse(dst, src) }))).toEqual([]);
    expect(fields(job({ reverse: reverse(src, dst) }))).toEqual([]);
    expect(fields(job({ reverse: reverse(src, 'r-someone-else-01') }))).toEqual(['/destination']);
  });

  it('names each field that differs', () => {
    expect(fields(job({ topology: 'oneway', reverse: undefined }))).toEqual(['/topology']);
    expect(fields(job({ inRegion: false, topology: undefined }))).toEqual(['/region']);
    expect(fields(job({ jobClass: 'large', payType: 'PrePaid' }))).toEqual(['/jobClass', '/payType']);
    const swapped = job();
    swapped.forward = { ...swapped.forward, source: redis(dst), destination: redis(src) };
    expect(fields(swapped)).toEqual(['/source/instanceId', '/destination/instanceId']);
    const ecs = job();
    ecs.forward = { ...ecs.forward, source: { instanceType: 'ECS', instanceId: 'i-abcdefgh12', port: 6379 } };
    expect(fields(ecs)).toEqual(['/source/kind']);
    const dbs = job();
    dbs.forward = { ...dbs.forward, databases: [{ from: 1, to: 1 }] };
    expect(fields(dbs)).toEqual(['/databases']);
  });

  it('compares class and pay type only when the request names them; an unconfigured Forward has no endpoints to compare', () => {
    const unnamed = { ...adoptionRequestOf(request), jobClass: undefined, payType: undefined };
    expect(fields(job({ jobClass: 'large', payType: 'PrePaid' }), unnamed)).toEqual([]);
    const blank = job();
    blank.forward = { configured: false, status: 'notconfigured', rawStatus: 'NotConfigured' };
    expect(fields(blank)).toEqual([]);
  });

  it('refuses purchase-only fields with adopt, naming each, and carries adopt into the request', () => {
    const body = {
      name: 'adopt',
      topology: 'oneway' as const,
      region: 'cn-hangzhou',
      source: { instanceId: 'r-adopt-src-0001', region: 'cn-hangzhou', password: 'x-Pa55' },
      destination: { instanceId: 'r-adopt-dst-0002', region: 'cn-hangzhou', password: 'y-Pa55' },
      adopt: { dtsJobId: 'dtsadopt0001' },
    };
    expect(toSetupRequest(body).request?.adopt).toEqual({ dtsJobId: 'dtsadopt0001' });
    // PrePaid alone is fine (compared with the job); its purchase terms are not.
    expect(toSetupRequest({ ...body, payType: 'PrePaid' }).problems).toEqual([]);
    const refused = toSetupRequest({
      ...body,
      period: 'Month',
      usedTime: 1,
      keepInstanceOnFailure: false,
      initializationWindow: { start: '01:00', end: '05:00', timeZone: 'UTC' },
    });
    expect(refused.request).toBeUndefined();
    expect(refused.problems.map((p) => [p.field, p.rule])).toEqual([
      ['/period', 'not-allowed-with-adopt'],
      ['/usedTime', 'not-allowed-with-adopt'],
      ['/keepInstanceOnFailure', 'not-allowed-with-adopt'],
      ['/initializationWindow', 'not-allowed-with-adopt'],
    ]);
  });
});
