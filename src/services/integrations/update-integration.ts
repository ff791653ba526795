/**
 * Changes an integration. A new config or new secrets re-register its webhook: the new one first, then the row, then
 * the old webhook is removed, so deliveries never stop and a failure leaves the integration as it was.
 */
import type { Prisma } from '../../generated/prisma/client';
import type { Principal } from '../../db/api-keys';
import type { IntegrationItem, UpdateIntegrationRequest } from '../../integrations/schemas';
import type { RegisterResult } from '../../integrations/types';
import { AppError } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { isUniqueViolation } from '../environments/environment-access';
import { requirePermission } from '../permissions';
import { putTeamSecret } from '../triggers/secrets';
import { integrationNameTaken } from './create-integration';
import { findTeamIntegration } from './get-integration';
import { integrationContext, toIntegrationRecord } from './integration-context';
import { toIntegrationItem } from './integration-item';
import { resolveSecretRefs, serviceFailure, validateIntegrationConfig } from './validate-integration';

export async function updateIntegration(
  deps: ServiceDeps,
  input: { principal: Principal; integrationId: string; request: UpdateIntegrationRequest },
): Promise<IntegrationItem> {
  const { db, config, logger } = deps;
  const { principal, request } = input;
  // Looked up first: another team's integration is 404 for every role, a visible one 403 for non-admins.
  const before = await findTeamIntegration(deps, principal, input.integrationId);
  requirePermission(principal, 'admin', 'change integrations');
  const current = toIntegrationRecord(before);
  const name = request.name ?? current.name;
  const { adapter, config: settings } = await validateIntegrationConfig(
    db,
    principal,
    current.type,
    request.config ?? current.config,
  );
  if (name !== current.name) {
    const taken = await db.integration.findFirst({
      where: { teamId: principal.teamId, type: current.type, name },
      select: { id: true },
    });
    if (taken) throw integrationNameTaken(current.type, name);
  }
  const secretRefs = await resolveSecretRefs(db, {
    teamId: principal.teamId,
    adapter,
    name,
    current: current.secretRefs,
    ...(request.secret_refs ? { refs: request.secret_refs } : {}),
    ...(request.secret_values ? { values: request.secret_values } : {}),
  });
  const secretProblem = adapter.checkSecrets?.(settings, secretRefs);
  if (secretProblem) throw new AppError('invalid_request', secretProblem);
  const next = { ...current, name, config: settings, secretRefs, enabled: request.enabled ?? current.enabled };

  const reregister =
    adapter.register !== undefined &&
    (request.config !== undefined || request.secret_refs !== undefined || request.secret_values !== undefined);
  let registered: RegisterResult | undefined;
  if (reregister && adapter.register) {
    try {
      registered = await adapter.register(integrationContext(deps, next, request.secret_values ?? {}));
    } catch (err) {
      throw serviceFailure(`registering the ${current.type} webhook`, err);
    }
  }
  const undoNew = async () => {
    if (!registered?.remoteHookId || !adapter.unregister) return;
    await adapter
      .unregister(
        integrationContext(deps, { ...next, remoteHookId: registered.remoteHookId }, request.secret_values ?? {}),
      )
      .catch((err: unknown) => logger.error({ err, integrationId: current.id }, 'removing the new webhook failed'));
  };

  let row;
  try {
    row = await db.$transaction(async (tx) => {
      for (const [role, value] of Object.entries(request.secret_values ?? {})) {
        await putTeamSecret(tx, config, {
          teamId: principal.teamId,
          name: secretRefs[role]!,
          value,
          description: `${role} of the ${current.type} integration ${name}`,
          userId: principal.userId,
        });
      }
      const updated = await tx.integration.update({
        where: { id: current.id },
        data: {
          name,
          enabled: next.enabled,
          config: settings as Prisma.InputJsonObject,
          secretRefs,
          ...(registered ? { remoteHookId: registered.remoteHookId ?? null } : {}),
          updatedAt: new Date(),
        },
      });
      await recordAudit(tx, {
        teamId: principal.teamId,
        principal,
        action: 'integration.updated',
        targetType: 'integration',
        targetId: current.id,
        data: { fields: Object.keys(request).filter((k) => k !== 'secret_values'), secret_refs: secretRefs },
      });
      return updated;
    });
  } catch (err) {
    await undoNew();
    if (isUniqueViolation(err)) throw integrationNameTaken(current.type, name);
    throw err;
  }
  if (registered && current.remoteHookId && adapter.unregister) {
    await adapter
      .unregister(integrationContext(deps, current))
      .catch((err: unknown) =>
        logger.warn({ err, integrationId: current.id }, 'removing the replaced webhook failed; remove it by hand'),
      );
  }
  return toIntegrationItem(row, config.publicUrl, registered?.instructions);
}
