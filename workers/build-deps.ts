import path from 'node:path';
import type { ActivityDeps } from '../activities';
import { WorkspaceProvider } from '../activities/environment/workspace-provider';
import { createModelGateway } from '../activities/model/registry';
import type { AppConfig } from '../src/config';
import { createDb, type Db } from '../src/db/client';
import type { Logger } from '../src/logger';

/** The database URL: the team's PostgreSQL, or the embedded PGlite server that `npm start` runs. */
export function databaseUrl(config: AppConfig): string {
  return config.database.url ?? `postgres://postgres:postgres@127.0.0.1:${config.database.embeddedPort}/postgres`;
}

export function buildActivityDeps(
  config: AppConfig,
  logger: Logger,
  db: Db = createDb(databaseUrl(config)),
): ActivityDeps {
  return {
    db,
    models: createModelGateway(config.models),
    environments: new WorkspaceProvider(path.join(config.dataDir, 'workspaces')),
    logger,
    settings: {
      defaultModelId: config.models.defaultModelId,
      streaming: config.models.streaming,
      defaultHostId: config.worker.hostId,
      taskQueuePrefix: config.temporal.taskQueuePrefix,
      harness: config.harness,
    },
  };
}
