import { describe, expect, it } from 'vitest';
import { formatResult, runChaos } from './engine';
import { SMALL } from './plans';

// The chaos engine in miniature: its own Temporal server, emulator and worker processes (not the
// run's shared server), 6 setups, one worker SIGKILL, one emulator restart, a fault mix, and one of each
// scenario against running syncs and endings (scenarios.ts).
// The full run with Temporal server restarts is `npm run chaos` (docs/reliability.md).
describe('recovery under faults (small chaos run)', () => {
  it(
    'never buys twice, never loses a setup, configures each direction once, never harms a healthy sync',
    { timeout: 300_000 },
    async () => {
      const lines: string[] = [];
      const result = await runChaos({
        ...SMALL,
        setups: 6,
        seed: 11,
        minutes: 1.5,
        log: (line) => lines.push(line),
      });
      const summary = formatResult(result, 'chaos.int.test.ts (6 setups, seed 11)');
      expect(result.disruptions['worker-kill'], summary).toBe(1);
      expect(result.disruptions['emulator-restart'], summary).toBe(1);
      expect(result.setupsStarted, summary).toBe(6);
      expect(result.duplicates, summary).toEqual([]);
      expect(result.lost, summary).toEqual([]);
      expect(result.configureAnomalies, summary).toEqual([]);
      expect(Object.keys(result.configures.Forward), summary).toEqual(['1']);
      expect(
        Object.keys(result.configures.Reverse).filter((n) => n !== '1'),
        summary,
      ).toEqual([]);
      // A setup cancelled during its purchase may have bought nothing; never more than one each.
      expect(result.instancesBought, summary).toBeGreaterThanOrEqual(6);
      expect(result.instancesBought, summary).toBeLessThanOrEqual(6 + result.scenarioSetups);
      expect(result.leftRunning, summary).toEqual([]);
      expect(result.healthySyncsReleased, summary).toEqual([]);
      expect(result.leakedInstances, summary).toEqual([]);
    },
  );
});
