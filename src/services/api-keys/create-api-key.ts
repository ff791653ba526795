/**
 * `POST /api-keys`: a new key, shown once. Personal keys act with their user's role in the team (so a key can never
 * do more than its person); team keys belong to no person, act as an admin of the team, and only admins create them.
 */
import { randomUUID } from 'node:crypto';
import { generateApiKey, type Principal } from '../../db/api-keys';
import { AppError, notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { requirePermission } from '../permissions';
import { API_KEY_INCLUDE } from './api-key-access';
import { toApiKeyItem } from './api-key-item';
import { expiresAtOf, type CreateApiKeyRequestSchema, type CreatedApiKey } from './schemas';
import type { z } from 'zod';

export interface CreateApiKeyInput {
  principal: Principal;
  request: z.output<typeof CreateApiKeyRequestSchema>;
  now?: Date;
}

export async function createApiKey(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: CreateApiKeyInput,
): Promise<CreatedApiKey> {
  const { db, logger } = deps;
  const { principal, request } = input;
  const now = input.now ?? new Date();
  let userId: string | null;
  if (request.scope === 'team') {
    requirePermission(principal, 'admin', 'create team API keys');
    if (request.user_id !== undefined) {
      throw new AppError(
        'invalid_request',
        'user_id: a team key belongs to no person; omit user_id or use scope personal',
      );
    }
    userId = null;
  } else if (request.user_id !== undefined && request.user_id !== principal.userId) {
    requirePermission(principal, 'admin', 'create API keys for other people');
    userId = request.user_id;
  } else {
    if (principal.userId === null) {
      throw new AppError(
        'invalid_request',
        'scope: a personal key belongs to a person and this team key has none; send scope "team", or user_id ' +
          'naming the member the key is for',
      );
    }
    userId = principal.userId;
  }

  const generated = generateApiKey();
  const row = await db.$transaction(async (tx) => {
    if (userId !== null) {
      const member = await tx.membership.findUnique({
        where: { teamId_userId: { teamId: principal.teamId, userId } },
      });
      if (!member) {
        const missing = notFound('Member', userId);
        throw new AppError('resource_not_found', `user_id: ${missing.detail}; list members with GET /api/v1/members`);
      }
    }
    const created = await tx.apiKey.create({
      data: {
        id: `key_${randomUUID()}`,
        name: request.name,
        prefix: generated.prefix,
        hash: generated.hash,
        teamId: principal.teamId,
        userId,
        scope: request.scope,
        expiresAt: expiresAtOf(request.expires_in, now),
        createdAt: now,
      },
      include: API_KEY_INCLUDE,
    });
    await recordAudit(tx, {
      teamId: principal.teamId,
      principal,
      action: 'api_key.created',
      targetType: 'api_key',
      targetId: created.id,
      data: {
        name: created.name,
        prefix: created.prefix,
        scope: created.scope,
        user_id: userId,
        expires_in: request.expires_in,
      },
    });
    return created;
  });
  logger.info({ keyId: row.id, teamId: principal.teamId, scope: row.scope }, 'API key created');
  return { ...toApiKeyItem(row, now), key: generated.key };
}
