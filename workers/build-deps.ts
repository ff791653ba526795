import type { ActivityDeps } from '../activities';
import type Docker from 'dockerode';
import { HostSlots } from '../activities/environment/host-slots';
import { createModelGateway } from '../activities/model/registry';
import { hostSecretsOpener } from '../activities/secrets';
import type { AppConfig } from '../src/config';
import { createRunStateReporter } from '../src/services/triggers/report-run';
import { createDb, type Db } from '../src/db/client';
import { activitySettings, dockerClient, hostEnvironments } from './host-deps';
import type { Logger } from '../src/logger';

/** The database URL: the team's PostgreSQL, or the embedded PGlite server that `npm start` runs. */
export function databaseUrl(config: AppConfig): string {
  return config.database.url ?? `postgres://postgres:postgres@127.0.0.1:${config.database.embeddedPort}/postgres`;
}

export { dockerClient, noDatabase } from './host-deps';

export function buildActivityDeps(
  config: AppConfig,
  logger: Logger,
  db: Db = createDb(databaseUrl(config)),
  docker: Docker | undefined = dockerClient(config),
): ActivityDeps {
  // The AI SDK prints provider warnings to the console; route them through the structured log instead.
  globalThis.AI_SDK_LOG_WARNINGS = ({ warnings, provider, model }) =>
    logger.warn({ warnings, provider, model }, 'model provider warning');
  return {
    db,
    models: createModelGateway(config.models),
    environments: hostEnvironments(config, docker),
    hostSlots: new HostSlots(config.worker.hostId, config.host.maxRuns),
    secretKeys: config,
    unsealSecrets: hostSecretsOpener(config),
    reportRunState: createRunStateReporter({ db, config, logger }),
    logger,
    settings: activitySettings(config),
  };
}
