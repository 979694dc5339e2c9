import { redisSync } from './redis-sync';

/**
 * Visibility query for the setups (`redisSync` runs) of a task queue, or of every queue when none is
 * given; callers append their own ` AND …` conditions. Not imported by workflow code: outside the sandbox only.
 */
export function setupsQuery(taskQueue?: string): string {
  const setups = `WorkflowType = '${redisSync.name}'`;
  return taskQueue === undefined ? setups : `${setups} AND TaskQueue = '${taskQueue}'`;
}
