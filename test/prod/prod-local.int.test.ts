import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peakInWindow, peakPerSecond } from '../../bench/calls';
import { findPostgres } from '../../scripts/prod-local/postgres';
import { startTopology, type Topology, type TopologyPorts } from '../../scripts/prod-local/topology';
import { freeLowPort } from '../support/ports';
import { syncRequest, type EmulatorJob } from '../support/requests';
import { statusWatcherId } from '../../core/watcher';
import { RKVSTORE_VERSION } from '../../emulator/rkvstore/operations';
import { eventually } from '../support/stack';

// `npm run prod-local`'s topology for real: PostgreSQL, the Temporal server built from source with both
// stores on PostgreSQL, two worker processes and two API processes. Slow (a server build on the first run,
// then ~20 s to start and ~2 min of syncs), so it runs only with PROD_LOCAL=1: `.ci/run` does, as its own step.
const run = promisify(execFile);
const BUDGET = 4; // DTS calls per second for the account; each of the 2 workers spends 2
const LOAD_SETUPS = 6; // one-way setups started together, so the budget is the bottleneck for a while

describe.runIf(process.env.PROD_LOCAL === '1')('the production topology on one machine (npm run prod-local)', () => {
  let topology: Topology;
  let client: Client;
  let dataDir: string;
  const figures: Record<string, string> = {};
  const api = (i: number) => async (path: string, body?: unknown) => {
    const res = await fetch(`${topology.apiUrls[i]}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${topology.apiToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'redis-dts-prod-local-'));
    // As root, PostgreSQL runs as the `postgres` user, which must be able to pass through (not read) it.
    chmodSync(dataDir, 0o711);
    const instances = JSON.parse(
      readFileSync(join(__dirname, '../../emulator/demo-instances.json'), 'utf8'),
    ) as object[];
    for (let i = 0; i < LOAD_SETUPS; i++) {
      instances.push(
        { instanceId: `r-load-src-${i}`, password: `load-src-${i}-Pa55` },
        { instanceId: `r-load-dst-${i}`, password: `load-dst-${i}-Pa55` },
      );
    }
    const instancesFile = join(dataDir, 'instances.json');
    writeFileSync(instancesFile, JSON.stringify(instances));
    // Free ports only (others run tests and `npm start` on this machine).
    const ports: TopologyPorts = {
      postgres: await freeLowPort(),
      frontend: await freeLowPort(),
      frontendHttp: await freeLowPort(),
      frontendMembership: await freeLowPort(),
      history: await freeLowPort(),
      historyMembership: await freeLowPort(),
      matching: await freeLowPort(),
      matchingMembership: await freeLowPort(),
      temporalWorker: await freeLowPort(),
      temporalWorkerMembership: await freeLowPort(),
      emulator: await freeLowPort(),
      apis: [await freeLowPort(), await freeLowPort()],
      workerMetrics: [await freeLowPort(), await freeLowPort()],
    };
    const started = Date.now();
    topology = await startTopology({
      dataDir,
      ports,
      log: () => {},
      vars: {
        DTS_MAX_CALLS_PER_SECOND: String(BUDGET),
        // A two-way setup takes ~30 s in the emulator: long enough to kill a worker mid-wait.
        EMULATOR_TIME_SCALE: '0.5',
        EMULATOR_INSTANCES_FILE: instancesFile,
        DTS_STATUS_WATCH_INTERVAL_MS: '1000',
        LOG_LEVEL: 'warn',
      },
    });
    figures['topology start (builds cached)'] = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    client = new Client({
      connection: await Connection.connect({ address: topology.temporalAddress }),
      namespace: topology.namespace,
    });
  }, 900_000);

  afterAll(async () => {
    console.log(
      `prod-local figures:\n${Object.entries(figures)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}`,
    );
    await client?.connection.close();
    await topology?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('runs Temporal 1.29.1 with both stores on PostgreSQL, as docker-compose.yml does', async () => {
    const info = await client.workflowService.getSystemInfo({});
    expect(info.serverVersion).toBe(topology.temporalVersion);
    expect(findPostgres()).toBeDefined();
    // The namespace the compose one-shot created lives in PostgreSQL's `temporal` database.
    expect(await sql('temporal', `select count(*) from namespaces where name = '${topology.namespace}'`)).toBe('1');
  });

  const twoWay =
    'sets up a two-way sync through one API, reads it through the other, finds it by DtsJobId, ' +
    'survives losing its worker';
  it(
    twoWay,
    async () => {
      const [first, second] = [api(0), api(1)];
      const created = await first('/v1/syncs', syncRequest({ name: 'prod-local' }));
      expect(created.status).toBe(202);
      const id = created.body.id as string;
      // Load: one-way setups at the same time, all drawing on the same DTS budget.
      for (let i = 0; i < LOAD_SETUPS; i++) {
        const load = syncRequest({
          name: `load-${i}`,
          topology: 'oneway',
          source: {
            kind: 'enterprise',
            region: 'cn-hangzhou',
            instanceId: `r-load-src-${i}`,
            password: `load-src-${i}-Pa55`,
          },
          destination: {
            kind: 'enterprise',
            region: 'cn-hangzhou',
            instanceId: `r-load-dst-${i}`,
            password: `load-dst-${i}-Pa55`,
          },
        });
        expect((await first('/v1/syncs', load)).status).toBe(202);
      }

      // Read through the other API process, once the job is bought and the setup waits on DTS.
      const waiting = await eventually(
        async () => {
          const { status, body } = await second(`/v1/syncs/${encodeURIComponent(id)}`);
          return status === 200 && body.dtsJobId && String(body.phase).startsWith('waiting-') ? body : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: 'the setup to wait on DTS' },
      );
      const dtsJobId = waiting.dtsJobId as string;

      // Advanced visibility on PostgreSQL: a list query by the custom search attribute, and the row itself.
      const listed = await eventually(
        async () => {
          // Raw listing: this client has no payload keys, and the SDK's list() would decode the encrypted memo.
          const { executions } = await client.workflowService.listWorkflowExecutions({
            namespace: topology.namespace,
            query: `DtsJobId = '${dtsJobId}'`,
          });
          const found = (executions ?? []).map((e) => e.execution?.workflowId ?? '');
          return found.length > 0 ? found : undefined;
        },
        { timeoutMs: 30_000, what: `a visibility record with DtsJobId ${dtsJobId}` },
      );
      expect(listed).toEqual([id]);
      const rows = await sql(
        'temporal_visibility',
        `select count(*) from executions_visibility where workflow_id = '${id}' ` +
          `and search_attributes::text like '%${dtsJobId}%'`,
      );
      expect(rows).toBe('1');

      // The worker that holds the setup: the one that completed its last workflow task.
      const holder = await holdingWorker(id);
      const victim = topology.workers.find((w) => w.pid === holder.pid);
      const survivor = topology.workers.find((w) => w !== victim)!;
      expect(victim, `worker pid ${holder.pid} is one of ours`).toBeDefined();
      // Where the status watcher's long-running activity runs decides how soon DTS news flows again.
      // Raw describe: the watcher's memo is encrypted and this client has no payload keys.
      const watcher = await client.workflowService.describeWorkflowExecution({
        namespace: topology.namespace,
        execution: { workflowId: statusWatcherId(topology.taskQueue) },
      });
      const watcherWorker = watcher.pendingActivities?.[0]?.lastWorkerIdentity ?? '';
      const killedAt = Date.now();
      await victim!.stop('SIGKILL');
      const phaseAtKill = (await second(`/v1/syncs/${encodeURIComponent(id)}`)).body.phase;

      const done = await eventually(
        async () => {
          const { status, body } = await second(`/v1/syncs/${encodeURIComponent(id)}`);
          if (status === 200 && body.phase === 'needs-attention')
            throw new Error(`needs attention: ${JSON.stringify(body)}`);
          return status === 200 && body.phase === 'synchronizing' ? body : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 250, what: 'synchronizing after the kill' },
      );
      expect(done.dtsJobId).toBe(dtsJobId);
      expect((await holdingWorker(id)).pid).toBe(survivor.pid);
      figures['killed worker'] = `${victim!.name} (pid ${holder.pid}) in phase ${String(phaseAtKill)}`;
      figures['time to synchronizing after the kill'] = `${((Date.now() - killedAt) / 1000).toFixed(1)} s`;
      figures['status watcher activity was on the killed worker'] = String(watcherWorker.startsWith(`${holder.pid}@`));
      // How late the setup saw DTS's last Synchronizing, compared with when the emulator got there.
      const { jobs } = (await (await fetch(`${topology.emulatorUrl}/__emulator/jobs`)).json()) as {
        jobs: EmulatorJob[];
      };
      const job = jobs.find((j) => j.jobId === dtsJobId)!;
      const dtsSyncAt = Math.max(
        ...(['Forward', 'Reverse'] as const).map((d) => Date.parse(job.directions[d]!.history.at(-1)!.at)),
      );
      figures['DTS reached synchronizing (both directions)'] =
        `${((dtsSyncAt - killedAt) / 1000).toFixed(1)} s after the kill`;
      const history = await client.workflow.getHandle(id).fetchHistory();
      const firstBySurvivor = (history.events ?? []).find(
        (e) =>
          e.workflowTaskCompletedEventAttributes?.identity?.startsWith(`${survivor.pid}@`) &&
          Number(e.eventTime?.seconds) * 1000 >= killedAt - 1000,
      );
      if (firstBySurvivor)
        figures['first workflow task on the other worker'] =
          `${((Number(firstBySurvivor.eventTime!.seconds) * 1000 - killedAt) / 1000).toFixed(0)} s after the kill`;
      const timeouts = (history.events ?? []).filter(
        (e) => e.workflowTaskTimedOutEventAttributes || e.activityTaskTimedOutEventAttributes,
      ).length;
      figures['workflow/activity task timeouts in the setup history'] = String(timeouts);

      // Both workers' DTS calls together, as DTS saw them (the emulator's call log).
      await eventually(
        async () => {
          const { body } = await second('/v1/syncs?pageSize=50');
          const items = body.items as { phase?: string }[];
          return items.length === LOAD_SETUPS + 1 && items.every((s) => s.phase === 'synchronizing') ? true : undefined;
        },
        { timeoutMs: 240_000, intervalMs: 1000, what: 'every setup synchronizing' },
      );
      const { calls: all } = (await (await fetch(`${topology.emulatorUrl}/__emulator/calls`)).json()) as {
        calls: { time: string; action: string; params: { Version?: string } }[];
      };
      // The emulator also answers the preflight's R-KVStore reads (DescribeInstanceAttribute, ...): another
      // product with its own quota, not the DTS budget. Counted with the DTS calls they made 8–10 in a second.
      const calls = all.filter((c) => c.params.Version !== RKVSTORE_VERSION);
      figures['R-KVStore calls (preflight, not DTS)'] = String(all.length - calls.length);
      const times = calls.map((c) => Date.parse(c.time));
      const peak = peakInWindow(times);
      figures['DTS calls'] = `${calls.length} over ${((Math.max(...times) - Math.min(...times)) / 1000).toFixed(0)} s`;
      figures['peak DTS calls in any 1 s window'] = `${peak.count} (budget ${BUDGET}/s)`;
      figures['peak DTS calls in one calendar second'] = String(peakPerSecond(times));
      figures['calls in the peak window'] = calls
        .filter((c) => Date.parse(c.time) >= peak.startMs && Date.parse(c.time) < peak.startMs + 1000)
        .map((c) => `${c.time.slice(17, 23)} ${c.action}`)
        .join(', ');
      // Each worker spaces its calls 5 % wider than 1 / (budget / workers) when it releases them, so the few
      // ms sooner or later they reach DTS cannot put a call over the budget in any sliding second or 10 s.
      expect(peak.count).toBeLessThanOrEqual(BUDGET);
      const tenSeconds = peakInWindow(times, 10_000).count;
      figures['peak DTS calls in any 10 s window'] = `${tenSeconds} (budget ${10 * BUDGET})`;
      expect(tenSeconds).toBeLessThanOrEqual(10 * BUDGET);
      // …and the calls did come from both processes (the survivor's own /metrics counts its share).
      expect(await dtsCallsOf(topology.workers.indexOf(survivor))).toBeGreaterThan(0);
    },
    600_000,
  );

  async function sql(database: string, query: string): Promise<string> {
    const pg = findPostgres()!;
    const { stdout } = await run(
      join(pg.bin, 'psql'),
      ['-h', '127.0.0.1', '-p', String(topology.ports.postgres), '-U', 'temporal', '-d', database, '-tAc', query],
      {
        env: { ...process.env, PGPASSWORD: readFileSync(join(dataDir, 'postgres-password'), 'utf8').trim() },
      },
    );
    return stdout.trim();
  }

  async function holdingWorker(workflowId: string): Promise<{ pid: number }> {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const completed = (history.events ?? []).filter((e) => e.workflowTaskCompletedEventAttributes).at(-1);
    const identity = completed?.workflowTaskCompletedEventAttributes?.identity ?? '';
    return { pid: Number(identity.split('@')[0]) };
  }

  async function dtsCallsOf(worker: number): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${topology.ports.workerMetrics[worker]}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => /^\w*dts_calls(_total)?\{/.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
  }
});

/** A free loopback port in 20000–32767. */
