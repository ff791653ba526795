/** Maps an environment row to the API's EnvironmentItem and to the Oz listing's CloudEnvironment. */
import { z } from 'zod';
import {
  EnvironmentVariablesSchema,
  githubRepoOf,
  RepositorySchema,
  type CloudEnvironment,
  type EnvironmentItem,
  type Repository,
} from '../../domain';
import type { EnvironmentWithCreator } from './environment-access';

const StoredRepositoriesSchema = z.array(RepositorySchema);

/** The stored repositories; rows are written only through validated requests, so anything else is skipped. */
export function storedRepositories(json: unknown): Repository[] {
  const parsed = StoredRepositoriesSchema.safeParse(json);
  return parsed.success ? parsed.data : [];
}

export function storedEnv(json: unknown): Record<string, string> {
  const parsed = EnvironmentVariablesSchema.safeParse(json);
  return parsed.success ? parsed.data : {};
}

function scopeOf(row: EnvironmentWithCreator): EnvironmentItem['scope'] {
  return row.scope === 'User'
    ? { type: 'User', ...(row.ownerUserId ? { uid: row.ownerUserId } : {}) }
    : { type: 'Team', uid: row.teamId };
}

function creatorOf(row: EnvironmentWithCreator): EnvironmentItem['creator'] {
  if (!row.createdBy) return undefined;
  return {
    type: 'user',
    uid: row.createdBy.id,
    display_name: row.createdBy.displayName,
    ...(row.createdBy.email ? { email: row.createdBy.email } : {}),
  };
}

export function toEnvironmentItem(row: EnvironmentWithCreator): EnvironmentItem {
  const creator = creatorOf(row);
  return {
    id: row.id,
    name: row.name,
    ...(row.description !== null ? { description: row.description } : {}),
    docker_image: row.dockerImage,
    repositories: storedRepositories(row.repositories),
    setup_commands: row.setupCommands,
    env: storedEnv(row.env),
    scope: scopeOf(row),
    setup_failed: row.setupFailed,
    ...(creator ? { creator } : {}),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Oz's shape lists only GitHub repositories (`{owner, repo}`); other git URLs have no place in it. */
export function toCloudEnvironment(row: EnvironmentWithCreator): CloudEnvironment {
  const creator = creatorOf(row);
  return {
    uid: row.id,
    config: {
      name: row.name,
      ...(row.description !== null ? { description: row.description } : {}),
      docker_image: row.dockerImage,
      github_repos: storedRepositories(row.repositories)
        .map((r) => githubRepoOf(r.url))
        .filter((r): r is { owner: string; repo: string } => r !== undefined),
      setup_commands: row.setupCommands,
    },
    last_updated: row.updatedAt.toISOString(),
    setup_failed: row.setupFailed,
    scope: scopeOf(row),
    ...(creator ? { creator } : {}),
  };
}
