/**
 * What a host worker's activities need: environments, its slots, and nothing of the platform's. A host-only worker
 * (AMBIT_WORKER_PLATFORM=false) is built from this alone, so it loads no database or integration code and needs
 * only its Temporal connection (and a Docker engine for container environments).
 */
import path from 'node:path';
import Docker from 'dockerode';
import type { ActivityDeps } from '../activities';
import { DockerProvider } from '../activities/environment/docker';
import { HostSlots } from '../activities/environment/host-slots';
import type { EnvironmentProvider } from '../activities/environment/provider';
import { RoutingEnvironmentProvider } from '../activities/environment/routing-provider';
import { WorkspaceProvider } from '../activities/environment/workspace-provider';
import { createModelGateway } from '../activities/model/registry';
import { hostSecretsOpener } from '../activities/secrets';
import type { AppConfig } from '../src/config';
import type { Db } from '../src/db/client';
import type { Logger } from '../src/logger';

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

/** This host's environments: a workspace folder, or a container with the host's default image and limits. */
export function hostEnvironments(config: AppConfig, docker: Docker | undefined): EnvironmentProvider {
  const host = config.host;
  return new RoutingEnvironmentProvider(
    new WorkspaceProvider(path.join(config.dataDir, 'workspaces')),
    docker
      ? new DockerProvider({
          docker,
          ...(config.snapshots ? { snapshots: config.snapshots } : {}),
          hostDefaults: {
            limits: host.limits,
            ...(host.network ? { network: host.network } : {}),
            ...(host.registryAuth ? { registryAuth: host.registryAuth } : {}),
          },
        })
      : undefined,
    host.defaultImage ? { image: host.defaultImage } : undefined,
  );
}

export function activitySettings(config: AppConfig): ActivityDeps['settings'] {
  return {
    defaultModelId: config.models.defaultModelId,
    streaming: config.models.streaming,
    defaultHostId: config.worker.hostId,
    taskQueuePrefix: config.temporal.taskQueuePrefix,
    harness: config.harness,
  };
}

/** The activity dependencies of a host-only worker. */
export function buildHostActivityDeps(config: AppConfig, logger: Logger, docker = dockerClient(config)): ActivityDeps {
  return {
    db: noDatabase(),
    models: createModelGateway(config.models),
    environments: hostEnvironments(config, docker),
    hostSlots: new HostSlots(config.worker.hostId, config.host.maxRuns),
    unsealSecrets: hostSecretsOpener(config),
    logger,
    settings: activitySettings(config),
  };
}
