/** Liveness of what the API depends on: the database and the Temporal namespace it starts workflows in. */
import type { HealthResponse } from '../domain';
import type { ServiceDeps } from './deps';

export const HEALTH_CHECK_TIMEOUT_MS = 3_000;

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkHealth(deps: Pick<ServiceDeps, 'db' | 'temporal' | 'logger'>): Promise<HealthResponse> {
  const { db, temporal, logger } = deps;
  const [database, workflows] = await Promise.allSettled([
    within(HEALTH_CHECK_TIMEOUT_MS, db.$queryRaw`SELECT 1`),
    temporal.withDeadline(Date.now() + HEALTH_CHECK_TIMEOUT_MS, () =>
      temporal.workflowService.describeNamespace({ namespace: temporal.options.namespace }),
    ),
  ]);
  if (database.status === 'rejected') logger.warn({ err: database.reason as unknown }, 'health: database is down');
  if (workflows.status === 'rejected') logger.warn({ err: workflows.reason as unknown }, 'health: Temporal is down');
  const result: HealthResponse = {
    status: database.status === 'fulfilled' && workflows.status === 'fulfilled' ? 'ok' : 'degraded',
    database: database.status === 'fulfilled' ? 'ok' : 'down',
    temporal: workflows.status === 'fulfilled' ? 'ok' : 'down',
  };
  return result;
}
