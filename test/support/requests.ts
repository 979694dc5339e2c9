import type { SetupRequest } from '../../core/types';

// No vitest import here: the chaos runner and the history recorder use it from plain tsx.
export const DEMO_SOURCE = { instanceId: 'r-demo-source-0001', password: 'demo-source-Pa55' };
export const DEMO_TARGET = { instanceId: 'r-demo-target-0002', password: 'demo-target-Pa55' };

export function syncRequest(overrides: Partial<SetupRequest> = {}): SetupRequest {
  return {
    name: 'test-sync',
    topology: 'bidirectional',
    region: 'cn-hangzhou',
    source: { kind: 'enterprise', region: 'cn-hangzhou', ...DEMO_SOURCE },
    destination: { kind: 'enterprise', region: 'cn-hangzhou', ...DEMO_TARGET },
    databases: [{ from: 0, to: 0 }],
    jobClass: 'small',
    payType: 'PostPaid',
    keepInstanceOnFailure: false,
    waitDeadline: '1h',
    attentionDeadline: '1h',
    ...overrides,
  };
}

/** Test timing: the same workflow logic, shorter pauses. */
export const FAST = { firstPoll: '100ms', maxPoll: '500ms', monitorInterval: '1s', restartBackoff: '100ms' } as const;

export interface EmulatorJob {
  jobId: string;
  released: boolean;
  topology: string;
  directions: Record<
    'Forward' | 'Reverse',
    | { status: string; configureCount: number; startCount: number; history: { status: string; at: string }[] }
    | undefined
  >;
}
export interface EmulatorCall {
  action: string;
  outcome: string;
  direction?: string;
  clientToken?: string;
  jobId?: string;
}

/** A Tair 5.0 instance in the emulator's registry; overrides change what the precheck sees. */
export function tairInstance(instanceId: string, password: string, overrides: Record<string, unknown> = {}) {
  return {
    instanceId,
    password,
    engineVersion: '5.0',
    architecture: 'standard',
    region: 'cn-hangzhou',
    edition: 'enterprise',
    maxmemoryPolicy: 'noeviction',
    ...overrides,
  };
}
