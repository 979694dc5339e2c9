// `npm run chaos -- [--setups N] [--seed S] [--minutes M]`: many setups against real, separately
// killed processes (Temporal dev server, DTS emulator, worker) and a storm of DTS faults.
// Exits non-zero on a duplicate purchase, a lost setup, a second configure or a leftover instance.
import { parseArgs } from 'node:util';
import { formatResult, runChaos } from './engine';
import { FULL, SMALL } from './plans';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      setups: { type: 'string', default: '50' },
      seed: { type: 'string', default: String(Date.now() % 100_000) },
      minutes: { type: 'string', default: '15' },
      /** `small`: the preset of the run in `npm test`. */
      preset: { type: 'string', default: 'full' },
    },
  });
  const setups = Number(values.setups);
  const seed = Number(values.seed);
  const minutes = Number(values.minutes);
  if (![setups, seed, minutes].every((n) => Number.isFinite(n) && n > 0))
    throw new Error('--setups, --seed and --minutes must be positive numbers');
  const preset = values.preset === 'small' ? SMALL : FULL;
  const command = `npm run chaos -- --setups ${setups} --seed ${seed} --minutes ${minutes}${values.preset === 'small' ? ' --preset small' : ''}`;
  console.log(`chaos: ${command}`);
  const result = await runChaos({ ...preset, setups, seed, minutes });
  console.log(formatResult(result, command));
  process.exitCode = result.ok ? 0 : 1;
}

// Ctrl-C: exit so the 'exit' hook in processes.ts kills the server, emulator and worker groups.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err) => {
  console.error(err);
  process.exitCode = 2;
});
