import type { DtsClient } from './dts/client';
import { configureDirection, type ConfigureInput } from './dts/configure';
import { describeDirection, type DescribeInput } from './dts/describe';
import { purchaseInstance, type PurchaseInput } from './dts/purchase';
import { releaseInstance, type ReleaseInput } from './dts/release';
import { resetDirection, type ResetInput } from './dts/reset';
import { startDirection, type StartInput } from './dts/start';

export interface ActivityDeps {
  dts: DtsClient;
}

/** One activity per DTS call, so the task queue's rate limit is the DTS call rate limit. */
export function createActivities({ dts }: ActivityDeps) {
  return {
    purchaseInstance: (input: PurchaseInput) => purchaseInstance(dts, input),
    configureDirection: (input: ConfigureInput) => configureDirection(dts, input),
    describeDirection: (input: DescribeInput) => describeDirection(dts, input),
    startDirection: (input: StartInput) => startDirection(dts, input),
    resetDirection: (input: ResetInput) => resetDirection(dts, input),
    releaseInstance: (input: ReleaseInput) => releaseInstance(dts, input),
  };
}

export type Activities = ReturnType<typeof createActivities>;
