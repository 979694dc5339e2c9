import { tairInstance } from './requests';

interface Endpoint {
  instanceId?: string;
  password: string;
  region?: string;
}

/**
 * Puts a pair's two instances in the emulator's registry (Tair 5.0, `overrides` change what the
 * precheck sees), so that the emulator knows the passwords the request carries.
 */
export async function registerPair(
  emulator: { admin(path: string, body?: unknown): Promise<unknown> },
  pair: { source: Endpoint; destination: Endpoint },
  overrides: Record<string, unknown> = {},
): Promise<void> {
  for (const e of [pair.source, pair.destination]) {
    const region = e.region ? { region: e.region } : {};
    await emulator.admin('instances', tairInstance(e.instanceId ?? '', e.password, { ...region, ...overrides }));
  }
}
