/**
 * `PUT /environments/{id}` (the whole environment; optional fields left out are cleared) and `PATCH` (only the fields
 * given). A change to what provisioning uses (image, repositories, setup commands, variables) clears `setup_failed`,
 * since the failure it recorded was of the old configuration.
 */
import type { Principal } from '../../db/api-keys';
import {
  normalizeRepository,
  type EnvironmentItem,
  type ReplaceEnvironmentRequest,
  type Repository,
  type UpdateEnvironmentRequest,
} from '../../domain';
import { AppError, notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import {
  assertMayWriteEnvironment,
  ENVIRONMENT_INCLUDE,
  findVisibleEnvironment,
  isRecordNotFound,
  isUniqueViolation,
  nameTaken,
  type EnvironmentWithCreator,
} from './environment-access';
import { storedEnv, storedRepositories, toEnvironmentItem } from './environment-item';

interface EnvironmentFields {
  name: string;
  description: string | null;
  dockerImage: string;
  repositories: Repository[];
  setupCommands: string[];
  env: Record<string, string>;
}

function provisioningKey(f: Pick<EnvironmentFields, 'dockerImage' | 'repositories' | 'setupCommands' | 'env'>): string {
  return JSON.stringify([
    f.dockerImage,
    f.repositories.map((r) => [r.url, r.ref ?? null]),
    f.setupCommands,
    Object.entries(f.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  ]);
}

function changedFields(before: EnvironmentFields, after: EnvironmentFields): string[] {
  return (Object.keys(after) as (keyof EnvironmentFields)[]).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
}

function currentFields(row: EnvironmentWithCreator): EnvironmentFields {
  return {
    name: row.name,
    description: row.description,
    dockerImage: row.dockerImage,
    repositories: storedRepositories(row.repositories),
    setupCommands: row.setupCommands,
    env: storedEnv(row.env),
  };
}

async function writeFields(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  principal: Principal,
  environmentId: string,
  next: (current: EnvironmentWithCreator) => EnvironmentFields,
): Promise<EnvironmentItem> {
  const { db, logger } = deps;
  const current = await findVisibleEnvironment(db, principal, environmentId);
  assertMayWriteEnvironment(principal, current, 'change');
  const fields = next(current);
  const setupFailed = current.setupFailed && provisioningKey(fields) === provisioningKey(currentFields(current));
  try {
    const row = await db.$transaction(async (tx) => {
      const updated = await tx.environment.update({
        where: { id: current.id },
        data: { ...fields, setupFailed, updatedAt: new Date() },
        include: ENVIRONMENT_INCLUDE,
      });
      await recordAudit(tx, {
        teamId: current.teamId,
        principal,
        action: 'environment.updated',
        targetType: 'environment',
        targetId: current.id,
        // Names of what changed only: variable values may be sensitive.
        data: { name: updated.name, changed: changedFields(currentFields(current), fields) },
      });
      return updated;
    });
    logger.info({ environmentId, teamId: principal.teamId }, 'environment updated');
    return toEnvironmentItem(row);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw await nameTaken(db, {
        teamId: current.teamId,
        scope: current.scope,
        ownerKey: current.ownerKey,
        name: fields.name,
      });
    }
    // Deleted between the read and the write.
    if (isRecordNotFound(err)) throw notFound('Environment', environmentId);
    throw err;
  }
}

export interface ReplaceEnvironmentInput {
  principal: Principal;
  environmentId: string;
  request: ReplaceEnvironmentRequest;
}

export async function replaceEnvironment(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: ReplaceEnvironmentInput,
): Promise<EnvironmentItem> {
  const { request } = input;
  return await writeFields(deps, input.principal, input.environmentId, (current) => {
    if (request.scope !== undefined && request.scope !== current.scope) {
      throw new AppError(
        'invalid_request',
        `scope: environment ${current.id} has scope ${JSON.stringify(current.scope)}, which cannot change; ` +
          `create a new environment with scope ${JSON.stringify(request.scope)} and delete this one`,
      );
    }
    return {
      name: request.name,
      description: request.description ?? null,
      dockerImage: request.docker_image,
      repositories: (request.repositories ?? []).map(normalizeRepository),
      setupCommands: request.setup_commands ?? [],
      env: request.env ?? {},
    };
  });
}

export interface UpdateEnvironmentInput {
  principal: Principal;
  environmentId: string;
  request: UpdateEnvironmentRequest;
}

export async function updateEnvironment(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: UpdateEnvironmentInput,
): Promise<EnvironmentItem> {
  const { request } = input;
  return await writeFields(deps, input.principal, input.environmentId, (current) => {
    const fields = currentFields(current);
    return {
      name: request.name ?? fields.name,
      description: request.description === undefined ? fields.description : request.description,
      dockerImage: request.docker_image ?? fields.dockerImage,
      repositories: request.repositories?.map(normalizeRepository) ?? fields.repositories,
      setupCommands: request.setup_commands ?? fields.setupCommands,
      env: request.env ?? fields.env,
    };
  });
}
