import { randomBytes } from 'node:crypto';
import type { Principal } from '../../db/api-keys';
import { normalizeRepository, type CreateEnvironmentRequest, type EnvironmentItem } from '../../domain';
import { AppError } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import {
  ENVIRONMENT_INCLUDE,
  isUniqueViolation,
  nameTaken,
  ownerKeyOf,
  assertMayWriteEnvironment,
} from './environment-access';
import { toEnvironmentItem } from './environment-item';

export function newEnvironmentId(): string {
  return `env_${randomBytes(12).toString('hex')}`;
}

export interface CreateEnvironmentInput {
  principal: Principal;
  request: CreateEnvironmentRequest;
}

export async function createEnvironment(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: CreateEnvironmentInput,
): Promise<EnvironmentItem> {
  const { db, logger } = deps;
  const { principal, request } = input;
  const scope = request.scope ?? 'Team';
  assertMayWriteEnvironment(principal, { scope, ownerUserId: principal.userId }, 'create');
  if (scope === 'User' && principal.userId === null) {
    throw new AppError(
      'invalid_request',
      'scope: "User" creates a personal environment, which needs a user API key; this key belongs to the team ' +
        '(send scope "Team")',
    );
  }
  const ownerUserId = scope === 'User' ? principal.userId : null;
  const data = {
    id: newEnvironmentId(),
    teamId: principal.teamId,
    scope,
    ownerUserId,
    ownerKey: ownerKeyOf(scope, ownerUserId),
    name: request.name,
    description: request.description ?? null,
    dockerImage: request.docker_image,
    repositories: (request.repositories ?? []).map(normalizeRepository),
    setupCommands: request.setup_commands ?? [],
    env: request.env ?? {},
    createdByUserId: principal.userId,
  };
  try {
    const row = await db.$transaction(async (tx) => {
      const created = await tx.environment.create({ data, include: ENVIRONMENT_INCLUDE });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: 'environment.created',
        targetType: 'environment',
        targetId: created.id,
        data: { name: created.name, scope, docker_image: created.dockerImage },
      });
      return created;
    });
    logger.info({ environmentId: row.id, teamId: principal.teamId, scope }, 'environment created');
    return toEnvironmentItem(row);
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw await nameTaken(db, { teamId: data.teamId, scope, ownerKey: data.ownerKey, name: data.name });
    }
    throw err;
  }
}
