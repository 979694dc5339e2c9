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
