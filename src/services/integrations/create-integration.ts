/**
 * Creates an integration: validate, register the webhook with the service, then store secrets, row and audit entry
 * in one transaction. A failed transaction removes the webhook again, so a failure leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import type { Principal } from '../../db/api-keys';
import type { CreateIntegrationRequest, IntegrationItem } from '../../integrations/schemas';
import type { IntegrationRecord, RegisterResult } from '../../integrations/types';
import { AppError } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { isUniqueViolation } from '../environments/environment-access';
import { requirePermission } from '../permissions';
import { putTeamSecret } from '../triggers/secrets';
import { integrationContext } from './integration-context';
import { toIntegrationItem } from './integration-item';
import { resolveSecretRefs, serviceFailure, validateIntegrationConfig } from './validate-integration';

export function newIntegrationId(): string {
  return `int_${randomBytes(12).toString('hex')}`;
}

export function integrationNameTaken(type: string, name: string): AppError {
  return new AppError('conflict', `a ${type} integration named ${JSON.stringify(name)} exists; choose another name`, {
    retryable: false,
  });
}

export async function createIntegration(
  deps: ServiceDeps,
  input: { principal: Principal; request: CreateIntegrationRequest },
): Promise<IntegrationItem> {
  const { db, config, logger } = deps;
  const { principal, request } = input;
  requirePermission(principal, 'admin', 'create integrations');
  const { adapter, config: settings } = await validateIntegrationConfig(db, principal, request.type, request.config);
  const taken = await db.integration.findFirst({
    where: { teamId: principal.teamId, type: request.type, name: request.name },
    select: { id: true },
  });
  if (taken) throw integrationNameTaken(request.type, request.name);
  const secretRefs = await resolveSecretRefs(db, {
    teamId: principal.teamId,
    adapter,
    name: request.name,
    ...(request.secret_refs ? { refs: request.secret_refs } : {}),
    ...(request.secret_values ? { values: request.secret_values } : {}),
  });
  const secretProblem = adapter.checkSecrets?.(settings, secretRefs);
  if (secretProblem) throw new AppError('invalid_request', secretProblem);

  const record: IntegrationRecord = {
    id: newIntegrationId(),
    teamId: principal.teamId,
    type: request.type,
    name: request.name,
    enabled: request.enabled ?? true,
    config: settings,
    secretRefs,
    remoteHookId: null,
    createdByUserId: principal.userId,
  };
  const ctx = integrationContext(deps, record, request.secret_values ?? {});
  let registered: RegisterResult = {};
  if (adapter.register) {
    try {
      registered = await adapter.register(ctx);
    } catch (err) {
      throw serviceFailure(`registering the ${request.type} webhook`, err);
    }
  }

  try {
    const row = await db.$transaction(async (tx) => {
      for (const [role, value] of Object.entries(request.secret_values ?? {})) {
        const name = secretRefs[role]!;
        await putTeamSecret(tx, config, {
          teamId: principal.teamId,
          name,
          value,
          description: `${role} of the ${request.type} integration ${request.name}`,
          userId: principal.userId,
        });
        await recordAudit(tx, {
          teamId: principal.teamId,
          principal,
          action: 'secret.created',
          targetType: 'secret',
          targetId: name,
          data: { name, integration_id: record.id, role },
        });
      }
      const created = await tx.integration.create({
        data: {
          id: record.id,
          teamId: record.teamId,
          type: record.type,
          name: record.name,
          enabled: record.enabled,
          config: settings as Prisma.InputJsonObject,
          secretRefs,
          remoteHookId: registered.remoteHookId ?? null,
          createdByUserId: principal.userId,
        },
      });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: 'integration.created',
        targetType: 'integration',
        targetId: record.id,
        data: { type: record.type, name: record.name, secret_refs: secretRefs },
      });
      return created;
    });
    logger.info({ integrationId: row.id, type: row.type }, 'integration created');
    return toIntegrationItem(row, config.publicUrl, registered.instructions);
  } catch (err) {
    if (registered.remoteHookId && adapter.unregister) {
      await adapter
        .unregister(
          integrationContext(deps, { ...record, remoteHookId: registered.remoteHookId }, request.secret_values),
        )
        .catch((undoErr: unknown) =>
          logger.error({ err: undoErr, integrationId: record.id }, 'removing the webhook of a failed creation failed'),
        );
    }
    if (isUniqueViolation(err)) throw integrationNameTaken(request.type, request.name);
    throw err;
  }
}
