/** The workflow type of a setup (`redisSync`, workflows/redis-sync.ts): a wire name, it never changes. */
export const SETUP_WORKFLOW_TYPE = 'redisSync';

/**
 * Visibility query for the setups (`redisSync` runs) of a task queue, or of every queue when none is
 * given; callers append their own ` AND …` conditions.
 */
export function setupsQuery(taskQueue?: string): string {
  const setups = `WorkflowType = '${SETUP_WORKFLOW_TYPE}'`;
  return taskQueue === undefined ? setups : `${setups} AND TaskQueue = '${taskQueue}'`;
}

/**
 * Page size for listings that read every setup. Each listed run carries its status memo (about 6 KB), and a gRPC
 * answer is limited to 4 MB: a page of 1,000 setups was 5.9 MB and refused (RESOURCE_EXHAUSTED).
 */
export const SETUPS_PAGE_SIZE = 200;
