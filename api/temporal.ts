import type { Client } from '@temporalio/client';
import type { DtsApi } from '../core/types';

/** What the API needs from Temporal; main.ts fills it, tests pass a client to a real server. */
export interface TemporalDeps {
  client: Client;
  namespace: string;
  taskQueue: string;
  /**
   * Where the preflight workflow runs when set (tests); otherwise its own queue when a worker polls it, else the
   * setups' queue (api/preflight-queue.ts).
   */
  preflightTaskQueue?: string;
  /** The DTS API family new setups speak (DTS_API); absent: the legacy one. */
  dtsApi?: DtsApi;
  /** GET one's view cache (api/view-cache.ts): the bound on an answer's age, 0 off (VIEW_CACHE_MS). */
  viewCacheMs?: number;
  /** GET-one requests a second in this process that start the cache's listing (VIEW_CACHE_HOT_RATE). */
  viewCacheHotRate?: number;
  /** How often the cache lists every running setup, the short listing in between (VIEW_CACHE_FULL_MS). */
  viewCacheFullMs?: number;
}
