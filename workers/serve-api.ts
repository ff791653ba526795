import type { Client } from '@temporalio/client';
import { startApiServer, type ApiServer } from '../src/api/server';
import type { AppConfig } from '../src/config';
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';
import { reconcileQueuedRuns } from '../src/services/reconcile-queued-runs';
import { reconcileSchedules } from '../src/services/schedules';

/**
 * Starts the API, finishes any run creation a crash interrupted (a row whose workflow never started), and puts
 * every schedule's Temporal Schedule back in step with its row (recreated if the cluster lost it).
 */
export async function serveApi(deps: {
  db: Db;
  temporal: Client;
  config: AppConfig;
  logger: Logger;
}): Promise<ApiServer> {
  const api = await startApiServer({ ...deps, port: deps.config.port, host: deps.config.bindHost });
  reconcileQueuedRuns(deps)
    .then((r) => {
      if (r.started.length)
        deps.logger.info({ runs: r.started }, 'started workflows of runs whose creation was interrupted');
    })
    .catch((err: unknown) => deps.logger.warn({ err }, 'could not reconcile queued runs'));
  reconcileSchedules(deps)
    .then((r) => {
      if (r.created.length || r.updated.length)
        deps.logger.info({ created: r.created, updated: r.updated }, 'realigned Temporal Schedules with their rows');
      if (r.failed.length) deps.logger.warn({ failed: r.failed }, 'could not realign some Temporal Schedules');
    })
    .catch((err: unknown) => deps.logger.warn({ err }, 'could not reconcile schedules'));
  return api;
}
