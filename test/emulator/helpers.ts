// Shared test helpers: an in-process emulator, the real pop-core client, and the admin API.
import RPCClient from '@alicloud/pop-core';
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../emulator';
import { signRpc } from '../../emulator/signature';

export const SOURCE = { id: 'r-demo-source-0001', password: 'demo-source-Pa55' };
export const TARGET = { id: 'r-demo-target-0002', password: 'demo-target-Pa55' };
export const DEMO_INSTANCES_FILE = `${__dirname}/../../emulator/demo-instances.json`;

/** Fast lifecycle: precheck 150 ms, structure 30 ms, data 150 ms, recovery 150 ms. */
export function startTestEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({
    port: 0,
    timeScale: 0.005,
    precheckMs: 30_000,
    recoverMs: 30_000,
    instancesFile: DEMO_INSTANCES_FILE,
    log: () => {},
    ...options,
  });
}

export type Body = Record<string, any>;

export interface DtsClient {
  call(action: string, params?: Record<string, unknown>): Promise<Body>;
}

/** The real client, configured the way the product uses it (POST, formatParams false). */
export function dtsClient(emulator: RunningEmulator, method: 'POST' | 'GET' = 'POST', timeout = 3000): DtsClient {
  const client = new RPCClient({
    endpoint: emulator.url,
    apiVersion: '2020-01-01',
    accessKeyId: DEFAULT_ACCESS_KEY_ID,
    accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
  });
  return {
    async call(action, params = {}) {
      const body = await client.request<Body>(action, params, { method, formatParams: false, timeout });
      return JSON.parse(JSON.stringify(body)) as Body; // pop-core returns null-prototype objects
    },
  };
}

/** The error pop-core throws for a call, for asserting on `code` and `data`. */
export async function callError(
  client: DtsClient,
  action: string,
  params: Record<string, unknown> = {},
): Promise<Body> {
  try {
    await client.call(action, params);
  } catch (error) {
    return error as Body;
  }
  throw new Error(`${action} unexpectedly succeeded`);
}

export const createParams = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  RegionId: 'cn-hangzhou',
  SourceRegion: 'cn-hangzhou',
  DestRegion: 'cn-hangzhou',
  SynchronizationJobClass: 'small',
  PayType: 'PostPaid',
  Topology: 'oneway',
  'SourceEndpoint.InstanceType': 'Redis',
  'DestinationEndpoint.InstanceType': 'Redis',
  networkType: 'Intranet',
  ...overrides,
});

export const configureParams = (jobId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  RegionId: 'cn-hangzhou',
  SynchronizationJobId: jobId,
  SynchronizationDirection: 'Forward',
  SynchronizationJobName: 'redis-sync-test',
  SynchronizationObjects: '[{"DBName":"0","NewDBName":"0"}]',
  StructureInitialization: true,
  DataInitialization: true,
  'SourceEndpoint.InstanceType': 'redis',
  'SourceEndpoint.InstanceId': SOURCE.id,
  'SourceEndpoint.Password': SOURCE.password,
  'DestinationEndpoint.InstanceType': 'redis',
  'DestinationEndpoint.InstanceId': TARGET.id,
  'DestinationEndpoint.Password': TARGET.password,
  MigrationReserved: '{"srcRedisType":"enterprise","destRedisType":"enterprise"}',
  ...overrides,
});

export const reverseParams = (jobId: string, overrides: Record<string, unknown> = {}) =>
  configureParams(jobId, {
    SynchronizationDirection: 'Reverse',
    'SourceEndpoint.InstanceId': TARGET.id,
    'SourceEndpoint.Password': TARGET.password,
    'DestinationEndpoint.InstanceId': SOURCE.id,
    'DestinationEndpoint.Password': SOURCE.password,
    ...overrides,
  });

export async function createJob(client: DtsClient, overrides: Record<string, unknown> = {}): Promise<string> {
  const body = await client.call('CreateSynchronizationJob', createParams(overrides));
  return body.SynchronizationJobId as string;
}

export function describeStatus(
  client: DtsClient,
  jobId: string,
  direction: 'Forward' | 'Reverse' = 'Forward',
): Promise<Body> {
  return client.call('DescribeSynchronizationJobStatus', {
    SynchronizationJobId: jobId,
    SynchronizationDirection: direction,
  });
}

/** Polls DescribeSynchronizationJobStatus until Status matches (compared case-insensitively). */
export async function waitForStatus(
  client: DtsClient,
  jobId: string,
  status: string,
  direction: 'Forward' | 'Reverse' = 'Forward',
  timeoutMs = 5000,
): Promise<Body> {
  const deadline = Date.now() + timeoutMs;
  let last: Body | undefined;
  while (Date.now() < deadline) {
    last = await describeStatus(client, jobId, direction);
    const current = String(last.Status).toLowerCase();
    if (current === status.toLowerCase()) return last;
    if (['precheckfailed', 'initializefailed'].includes(current)) break; // would never get there
    await sleep(15);
  }
  throw new Error(`job ${jobId} ${direction} did not reach ${status}; last status ${last?.Status}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function admin(
  emulator: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Body }> {
  const response = await fetch(`${emulator.url}/__emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

export async function adminJob(emulator: RunningEmulator, jobId: string): Promise<Body> {
  const { body } = await admin(emulator, 'GET', 'jobs');
  const job = (body.jobs as Body[]).find((j) => j.jobId === jobId);
  if (!job) throw new Error(`no job ${jobId} in /__emulator/jobs`);
  return job;
}

/** Signed parameters for hand-made requests (malformed cases pop-core cannot produce). */
export function signedParams(
  action: string,
  params: Record<string, string> = {},
  options: {
    method?: string;
    secret?: string;
    accessKeyId?: string;
    timestamp?: string;
    nonce?: string;
    version?: string;
  } = {},
): Record<string, string> {
  const all: Record<string, string> = {
    Action: action,
    Format: 'JSON',
    Version: options.version ?? '2020-01-01',
    AccessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: options.nonce ?? randomUUID(),
    Timestamp: options.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...params,
  };
  all.Signature = signRpc(options.method ?? 'POST', all, options.secret ?? DEFAULT_ACCESS_KEY_SECRET);
  return all;
}

export async function rawPost(
  emulator: RunningEmulator,
  params: Record<string, string>,
): Promise<{ status: number; body: Body; text: string }> {
  const response = await fetch(`${emulator.url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString().replace(/\+/g, '%20'),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as Body, text };
}
