import type { DtsClient, DtsParams } from '../../activities/dts/client';

export type Json = Record<string, unknown>;

export interface ScriptedCall {
  action: string;
  params: DtsParams;
  secrets: string[] | undefined;
}

/** A DTS client whose answers the test scripts (an Error is a refusal); every call is recorded as it was made. */
export function scriptedClient(answer: (action: string, params: DtsParams) => Json | Error = () => ({})) {
  const calls: ScriptedCall[] = [];
  const client = {
    call: (action: string, params: DtsParams, secrets?: string[]) => {
      calls.push({ action, params, secrets });
      const out = answer(action, params);
      return out instanceof Error ? Promise.reject(out) : Promise.resolve(out);
    },
  };
  return { dts: client as unknown as DtsClient, calls };
}
