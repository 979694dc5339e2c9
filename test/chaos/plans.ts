import type { ChaosOptions } from './engine';

type Preset = Omit<ChaosOptions, 'setups' | 'seed' | 'minutes' | 'log'>;

/** `npm run chaos`: every kind of disruption, as often as the run allows. */
export const FULL: Preset = {
  concurrency: 12,
  timeScale: 0.25,
  dtsTimeoutMs: 1_500,
  keeperStormMs: 90_000,
  plan: {
    gapMs: [3_000, 10_000],
    workerKills: Infinity,
    emulatorRestarts: Infinity,
    temporalRestarts: Infinity,
    faultBursts: Infinity,
    backgroundFaults: true,
    scenarios: {
      'credential-errors': 2,
      'refused-reads-while-failing': 2,
      'console-suspend': 3,
      'cancel-during-purchase': 3,
      'teardown-outage': 1,
      'old-payload-signal': 2,
    },
    // The old teardown gave up after 30 min: DTS refuses the Delete for 31 min at the run's time scale (0.25).
    timings: { credentialOutageMs: 120_000, suspendMs: 60_000, teardownOutageMs: 31 * 60_000 * 0.25 },
  },
};

/** The run inside `npm test`: one worker SIGKILL, one emulator restart, a fault mix; no server restart (slow). */
export const SMALL: Preset = {
  concurrency: 6,
  timeScale: 0.2,
  dtsTimeoutMs: 1_500,
  // A purchase still in its capped 60 s backoff when the storm ends needs that, then its setup time;
  // on a loaded 2-core CI machine a Reverse direction can still be waiting after one minute.
  settleMs: 120_000,
  releaseMs: 30_000,
  // Setups settle within seconds now: keep disrupting the keepers so every planned disruption happens.
  keeperStormMs: 40_000,
  plan: {
    gapMs: [2_000, 5_000],
    workerKills: 1,
    emulatorRestarts: 1,
    temporalRestarts: 0,
    faultBursts: 2,
    backgroundFaults: true,
    scenarios: {
      'credential-errors': 1,
      'console-suspend': 1,
      'cancel-during-purchase': 1,
      'teardown-outage': 1,
      'old-payload-signal': 1,
    },
    timings: { credentialOutageMs: 15_000, suspendMs: 8_000, teardownOutageMs: 20_000 },
  },
};
