// `npm run chaos -- [--setups N] [--seed S] [--minutes M] [--api dtsjob|synchronizationjob|mix]`: many setups against real, separately
// killed processes (Temporal dev server, DTS emulator, worker) and a storm of DTS faults.
// Exits non-zero on a duplicate purchase, a lost setup, a second configure or a leftover instance.
import { parseArgs } from 'node:util';
import { formatResult, runChaos } from './engine';
import { API_MIXES, type ApiMix } from './families';
import { FULL, SMALL } from './plans';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      setups: { type: 'string', default: '50' },
      seed: { type: 'string', default: String(Date.now() % 100_000) },
      minutes: { type: 'string', default: '15' },
      /** `small`: the preset of the run in `npm test`. */
      preset: { type: 'string', default: 'full' },
      /** The DTS API family the setups speak: dtsjob (the API's default), synchronizationjob, or mix. */
      api: { type: 'string', default: 'dtsjob' },
    },
  });
  const setups = Number(values.setups);
  const seed = Number(values.seed);
  const minutes = Number(values.minutes);
  if (![setups, seed, minutes].every((n) => Number.isFinite(n) && n > 0))
    throw new Error('--setups, --seed and --minutes must be positive numbers');
  if (!API_MIXES.includes(values.api as ApiMix)) throw new Error(`--api must be one of ${API_MIXES.join(', ')}`);
  const apis = values.api as ApiMix;
  const preset = values.preset === 'small' ? SMALL : FULL;
  const command = `npm run chaos -- --setups ${setups} --seed ${seed} --minutes ${minutes}${values.preset === 'small' ? ' --preset small' : ''}${apis === 'dtsjob' ? '' : ` --api ${apis}`}`;
  console.log(`chaos: ${command}`);
  const result = await runChaos({ ...preset, setups, seed, minutes, apis });
  console.log(formatResult(result, command));
  process.exitCode = result.ok ? 0 : 1;
}

// Ctrl-C: exit so the 'exit' hook in processes.ts kills the server, emulator and worker groups.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

main().catch((err) => {
  console.error(err);
  process.exitCode = 2;
});
