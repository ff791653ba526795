import { z } from 'zod';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import { EnvironmentVariablesSchema, RepositorySchema } from '../src/domain/environment';
import type { Db } from '../src/db/client';
import type { EnvironmentSpec } from './environment/provider';
import { userFailure } from './failures';

const StoredRepositories = z.array(RepositorySchema);

/**
 * The environment a run asked for (`config.environment_id`), as a provider spec; undefined when it asked for none
 * (the host's workspace). A run whose environment was deleted meanwhile fails with a clear message.
 */
export async function environmentSpecOf(
  db: Db,
  runId: string,
): Promise<{ id: string; name: string; spec: EnvironmentSpec } | undefined> {
  const run = await db.run.findUnique({ where: { id: runId }, select: { environmentId: true } });
  if (!run?.environmentId) return undefined;
  const env = await db.environment.findUnique({ where: { id: run.environmentId } });
  if (!env) {
    throw userFailure(
      FailureType.InvalidConfig,
      RunErrorCode.InvalidConfig,
      `config.environment_id: environment ${run.environmentId} no longer exists; start the run with another environment`,
    );
  }
  const repositories = StoredRepositories.safeParse(env.repositories);
  const variables = EnvironmentVariablesSchema.safeParse(env.env);
  return {
    id: env.id,
    name: env.name,
    spec: {
      image: env.dockerImage,
      repositories: repositories.success
        ? repositories.data.map((r) => ({ url: r.url, ...(r.ref ? { ref: r.ref } : {}) }))
        : [],
      setupCommands: env.setupCommands,
      env: variables.success ? variables.data : {},
    },
  };
}
