// Command-line flags of `npm run bench`.
import { DTS_APIS } from '../core/vocabulary';
import type { DtsApi } from '../core/types';
import { WORKER_RUNTIMES, type WorkerRuntime } from './worker-process';

export interface BenchArgs {
  /** Concurrent two-way setups. */
  setups: number;
  /** The account's DTS call budget (calls/s), given to the workers as DTS_MAX_CALLS_PER_SECOND. */
  rate: number;
  /** Multiplies the emulator's lifecycle durations (1 = the emulator's defaults). */
  timeScale: number;
  /** Smallest and largest source data size, MB; data init takes 30 s per GB at timeScale 1. */
  minDataMb: number;
  maxDataMb: number;
  /** Give up waiting for Synchronizing after this many minutes. */
  timeoutMin: number;
  /** Dev server task queue partitions (server default 4); 1 shows the rate limit without partition bursts. */
  partitions?: number;
  /** The emulator in its own process (default) or in the bench process. */
  emulator: 'child' | 'inline';
  /** Where the worker log and the raw results go. */
  outDir: string;
  /** Also run the same setups the naive way (a script polling each job every 5 s), for the side-by-side. */
  naive: boolean;
  /** Keep every setup synchronizing this many minutes before the release (steady state); 0 = release at once. */
  keepMin: number;
  /** How the worker process runs (bench/worker-process.ts); `js` is how the image runs it. */
  worker: WorkerRuntime;
  /**
   * With --keep, a larger DTS budget and workflow cache for getting the fleet to synchronizing faster; the worker
   * then restarts with the defaults and --rate before the kept window, which is what is measured.
   */
  setupRate?: number;
  setupCache?: number;
  /** With --keep: the setups' own health check runs every 30 min × this, so a short window stands for an hour. */
  keepTimeScale: number;
  /** The DTS API family the setups speak, as the API starts them with DTS_API (its default: dtsjob). */
  api: DtsApi;
}

const USAGE = `npm run bench -- [--setups N] [--rate R] [--time-scale S] [--min-data-mb A] [--max-data-mb B] [--timeout-min M] [--partitions P] [--emulator-inline] [--out DIR] [--quick] [--naive] [--keep MIN] [--setup-rate R] [--setup-cache C] [--keep-time-scale K] [--worker js|tsx] [--api dtsjob|synchronizationjob]
  --quick   = --setups 50 --time-scale 0.5 (about two minutes; later flags override)
  --naive   then run the same setups as a script would (own 5 s polls, no watcher, no limiter) and compare
  --keep M  hold every setup in synchronizing for M minutes and report the steady state
  --setup-rate R, --setup-cache C  with --keep: DTS budget and WORKER_MAX_CACHED_WORKFLOWS while setting up;
            the worker restarts with --rate and the default cache for the kept window (what is measured)
  --keep-time-scale K  with --keep: the setups' own 30-min health check runs every 30 min × K; the kept window's
            figures driven by it are scaled back to a real hour (the watcher's are not)
  --worker  js (default: compiled, workflow bundle built ahead, as the image runs it) or tsx (bundles at start)
  --api     the DTS API family the setups speak (default dtsjob, as the API's DTS_API)`;

export function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = {
    setups: 1000,
    rate: 20,
    timeScale: 1,
    minDataMb: 512,
    maxDataMb: 3072,
    timeoutMin: 40,
    emulator: 'child',
    outDir: 'bench/out',
    naive: false,
    keepMin: 0,
    worker: 'js',
    keepTimeScale: 1,
    api: 'dtsjob',
  };
  const numeric: Record<string, keyof BenchArgs> = {
    '--setups': 'setups',
    '--rate': 'rate',
    '--time-scale': 'timeScale',
    '--min-data-mb': 'minDataMb',
    '--max-data-mb': 'maxDataMb',
    '--timeout-min': 'timeoutMin',
    '--partitions': 'partitions',
    '--keep': 'keepMin',
    '--setup-rate': 'setupRate',
    '--setup-cache': 'setupCache',
    '--keep-time-scale': 'keepTimeScale',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--quick') Object.assign(args, { setups: 50, timeScale: 0.5 });
    else if (flag === '--out') args.outDir = argv[++i] ?? args.outDir;
    else if (flag === '--emulator-inline') args.emulator = 'inline';
    else if (flag === '--naive') args.naive = true;
    else if (flag === '--worker') {
      const runtime = argv[++i] as WorkerRuntime;
      if (!WORKER_RUNTIMES.includes(runtime))
        throw new Error(`--worker is one of ${WORKER_RUNTIMES.join(', ')}\n${USAGE}`);
      args.worker = runtime;
    } else if (flag === '--api') {
      const api = argv[++i] as DtsApi;
      if (!DTS_APIS.includes(api)) throw new Error(`--api is one of ${DTS_APIS.join(', ')}\n${USAGE}`);
      args.api = api;
    } else if (flag === '--help' || flag === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (numeric[flag]) {
      const value = Number(argv[++i]);
      if (!(value > 0)) throw new Error(`${flag} needs a positive number\n${USAGE}`);
      (args as unknown as Record<string, number>)[numeric[flag]] = value;
    } else throw new Error(`unknown flag ${flag}\n${USAGE}`);
  }
  args.setups = Math.round(args.setups);
  return args;
}
