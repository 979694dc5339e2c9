import { setupWorkflowId } from '../../core/ids';
import { releaseSignal } from '../../core/messages';
import { syncRequest } from '../support/requests';
import { apiOf, type ApiMix } from './families';
import { sleep } from './processes';
import type { Random } from './random';
import { instancesOf, startSetup, type Setup } from './setups';
import type { ChaosStack } from './stack';

/**
 * Disruptions aimed at a running sync and at the ways a setup ends (issue 9): the keeper must
 * never harm a healthy sync, and every ending must leave nothing paid for behind.
 */
export const SCENARIO_KINDS = [
  'credential-errors',
  'refused-reads-while-failing',
  'console-suspend',
  'cancel-during-purchase',
  'teardown-outage',
  'old-payload-signal',
] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export interface ScenarioTimings {
  /** How long DTS refuses every status read with Forbidden.RAM (403). */
  credentialOutageMs: number;
  /** How long a direction stays paused "in the console" before it is resumed there. */
  suspendMs: number;
  /** How long DTS is down (503) for one setup's teardown; the old teardown gave up after 30 min. */
  teardownOutageMs: number;
}

export interface ScenarioContext {
  stack: ChaosStack;
  random: Random;
  setups: Setup[];
  seed: number;
  timings: ScenarioTimings;
  /** The families the run's setups speak (a scenario's own setup speaks one of them). */
  apis: ApiMix;
  /** Faults held for a while; kept through emulator restarts until removed. Each names both families' action. */
  hold(faults: Record<string, unknown>[], ms: number): Promise<void>;
  /** Adds a fault, naming both families' action. */
  fault(fault: Record<string, unknown>): Promise<void>;
  note(line: string): void;
}

/** A synchronizing setup the run did not disrupt this way yet (each scenario takes its own). */
function pickSynchronizing(ctx: ScenarioContext): Setup | undefined {
  const candidates = ctx.setups.filter((s) => s.phase === 'synchronizing' && s.dtsJobId && !s.scenario);
  return candidates.length > 0 ? ctx.random.pick(candidates) : undefined;
}

/** False when the scenario found nothing to act on yet (no synchronizing setup): it is tried again later. */
export async function runScenario(kind: ScenarioKind, ctx: ScenarioContext): Promise<boolean> {
  switch (kind) {
    case 'credential-errors': {
      // A RAM policy edit: every read is refused for minutes. A healthy sync must not be released for it.
      ctx.note(`credential errors on every status read for ${ctx.timings.credentialOutageMs} ms`);
      const refuse = (action: string) => ({
        action,
        kind: 'error',
        code: 'Forbidden.RAM',
        httpStatus: 403,
        message: 'chaos: RAM policy denies',
        probability: 1,
      });
      const reads = ['DescribeSynchronizationJobStatus', 'DescribeSynchronizationJobStatusList'];
      await ctx.hold(reads.map(refuse), ctx.timings.credentialOutageMs);
      return true;
    }
    case 'refused-reads-while-failing': {
      // The setup's own reads are refused while its Forward fails; the watcher's batched list still answers.
      // The setup must act on the watcher's news (restart Forward), never show a healthy sync meanwhile.
      const setup = pickSynchronizing(ctx);
      if (!setup) return false;
      setup.scenario = 'refused-reads-while-failing';
      ctx.note(
        `own status reads of ${setup.dtsJobId} refused while its Forward fails, ${ctx.timings.credentialOutageMs} ms`,
      );
      const refused = {
        action: 'DescribeSynchronizationJobStatus',
        jobId: setup.dtsJobId,
        kind: 'error',
        code: 'Forbidden.RAM',
        httpStatus: 403,
        message: 'chaos: RAM policy denies this job',
        probability: 1,
      };
      const outage = ctx.hold([refused], ctx.timings.credentialOutageMs);
      await sleep(200);
      const instanceId = setup.request.source.instanceId;
      await ctx.fault({ kind: 'fail-later', instanceId, afterMs: 500, message: 'chaos: fails unread' });
      await outage;
      return true;
    }
    case 'console-suspend': {
      const setup = pickSynchronizing(ctx);
      if (!setup) return false;
      setup.scenario = 'console-suspend';
      ctx.note(`console suspend of ${setup.dtsJobId} Forward for ${ctx.timings.suspendMs} ms`);
      await ctx.stack.admin(`jobs/${setup.dtsJobId}/suspend`, { direction: 'Forward' });
      await sleep(ctx.timings.suspendMs);
      // The workflow may have restarted it itself (the old keeper did): then there is nothing to resume.
      // An operator whose console is briefly down tries again; a 409 means there is nothing to resume.
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await ctx.stack.admin(`jobs/${setup.dtsJobId}/resume`, { direction: 'Forward' }).then(
          () => 'done',
          (err: unknown) => err,
        );
        if (outcome === 'done') break;
        const down = outcome instanceof TypeError; // fetch failed: the emulator is restarting
        ctx.note(`console resume: ${String(outcome)}${down && attempt < 30 ? ', again in 1 s' : ''}`);
        if (!down || attempt >= 30) break;
        await sleep(1_000);
      }
      return true;
    }
    case 'cancel-during-purchase': {
      // A setup of its own, cancelled while its purchase answer is late (DTS applied it, the client timed out).
      const index = 1_000 + ctx.setups.filter((s) => s.scenario === 'cancel-during-purchase').length;
      const id = (side: string) => `r-chaos${ctx.seed}-x${index}-${side}`;
      const request = syncRequest({
        name: `chaos-${ctx.seed}-x${index}`,
        topology: 'oneway',
        source: { kind: 'enterprise', region: 'cn-hangzhou', instanceId: id('src'), password: `src-x${index}-Pa55` },
        destination: {
          kind: 'enterprise',
          region: 'cn-hangzhou',
          instanceId: id('dst'),
          password: `dst-x${index}-Pa55`,
        },
      });
      const setup: Setup = {
        index,
        request,
        api: apiOf(ctx.apis, index),
        workflowId: setupWorkflowId(request),
        scenario: 'cancel-during-purchase',
      };
      await ctx.stack.admin('instances', instancesOf(setup));
      const lateAnswer = { action: 'CreateSynchronizationJob', kind: 'delay-after', delayMs: 4_000, count: 1 };
      await ctx.fault(lateAnswer);
      await startSetup(ctx.stack.client(), ctx.stack.taskQueue, setup, Date.now() + 30_000);
      ctx.setups.push(setup); // started first, so the launcher never starts it too
      await sleep(ctx.random.int(300, 1_500));
      ctx.note(`cancel ${setup.workflowId} during its purchase`);
      await ctx.stack.client().workflow.getHandle(setup.workflowId).cancel();
      return true;
    }
    case 'teardown-outage': {
      const setup = pickSynchronizing(ctx);
      if (!setup) return false;
      setup.scenario = 'teardown-outage';
      setup.releaseRequested = true;
      ctx.note(`teardown of ${setup.workflowId} while DTS refuses its Delete for ${ctx.timings.teardownOutageMs} ms`);
      const refused = {
        action: 'DeleteSynchronizationJob',
        jobId: setup.dtsJobId,
        kind: 'unavailable',
        probability: 1,
      };
      const outage = ctx.hold([refused], ctx.timings.teardownOutageMs);
      await sleep(200);
      await ctx.stack.client().workflow.getHandle(setup.workflowId).signal(releaseSignal);
      await outage;
      return true;
    }
    case 'old-payload-signal': {
      const setup = pickSynchronizing(ctx);
      if (!setup) return false;
      setup.scenario = 'old-payload-signal';
      // What an older watcher or a hand-typed CLI signal sends: the name without the news.
      ctx.note(`dtsStatusChanged without payload to ${setup.workflowId}`);
      await ctx.stack.client().workflow.getHandle(setup.workflowId).signal('dtsStatusChanged');
      return true;
    }
  }
}
