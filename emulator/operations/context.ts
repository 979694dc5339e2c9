// What every operation handler receives.
import type { FaultStore } from '../faults';
import type { Direction } from '../model';
import type { ResolvedOptions } from '../options';
import type { ParamReader, Params } from '../params';
import type { EmulatorState } from '../state';

export interface OperationContext {
  action: string;
  params: Params;
  reader: ParamReader;
  accessKeyId: string;
  now: number;
  state: EmulatorState;
  faults: FaultStore;
  options: ResolvedOptions;
  /** Filled in by handlers so the call log shows what the call touched. */
  call: { jobId?: string; direction?: Direction };
}

/** Fields of a success body besides RequestId. */
export type Operation = (ctx: OperationContext) => Record<string, unknown>;
