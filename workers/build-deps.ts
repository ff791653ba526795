import path from 'node:path';
import type { ActivityDeps } from '../activities';
import Docker from 'dockerode';
import { DockerProvider } from '../activities/environment/docker';
import { HostSlots } from '../activities/environment/host-slots';
import { RoutingEnvironmentProvider } from '../activities/environment/routing-provider';
import { WorkspaceProvider } from '../activities/environment/workspace-provider';
import { createModelGateway } from '../activities/model/registry';
import { hostSecretsOpener } from '../activities/secrets';
import type { AppConfig } from '../src/config';
import { createRunStateReporter } from '../src/services/triggers/report-run';
import { createDb, type Db } from '../src/db/client';
import type { Logger } from '../src/logger';

/** The database URL: the team's PostgreSQL, or the embedded PGlite server that `npm start` runs. */
export function databaseUrl(config: AppConfig): string {
  return config.database.url ?? `postgres://postgres:postgres@127.0.0.1:${config.database.embeddedPort}/postgres`;
}

/**
 * The database of a host-only worker: there is none. Host activities take what they need from their input and
 * return what they produce, so any use of this is a bug, reported as one (and the activity retried elsewhere).
 */
export function noDatabase(): Db {
  return new Proxy({} as Db, {
    get(_target, prop) {
      if (prop === 'then') return undefined;
      if (prop === '$disconnect') return () => Promise.resolve();
      throw new Error(
        `this is a host worker without a database (tried db.${String(prop)}): host activities must not use the database`,
      );
    },
  });
}

/** The Docker engine this host's environments run on, when it has one. */
export function dockerClient(config: AppConfig): Docker | undefined {
  return config.docker ? new Docker(config.docker) : undefined;
}

export function buildActivityDeps(
  config: AppConfig,
  logger: Logger,
  db: Db = createDb(databaseUrl(config)),
  docker: Docker | undefined = dockerClient(config),
): ActivityDeps {
  // The AI SDK prints provider warnings to the console; route them through the structured log instead.
  globalThis.AI_SDK_LOG_WARNINGS = ({ warnings, provider, model }) =>
    logger.warn({ warnings, provider, model }, 'model provider warning');
  const host = config.host;
  return {
    db,
    models: createModelGateway(config.models),
    environments: new RoutingEnvironmentProvider(
      new WorkspaceProvider(path.join(config.dataDir, 'workspaces')),
      docker
        ? new DockerProvider({
            docker,
            ...(config.snapshots ? { snapshots: config.snapshots } : {}),
            hostDefaults: { limits: host.limits, ...(host.network ? { network: host.network } : {}) },
          })
        : undefined,
      host.defaultImage ? { image: host.defaultImage } : undefined,
    ),
    hostSlots: new HostSlots(config.worker.hostId, host.maxRuns),
    secretKeys: config,
    unsealSecrets: hostSecretsOpener(config),
    reportRunState: createRunStateReporter({ db, config, logger }),
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
