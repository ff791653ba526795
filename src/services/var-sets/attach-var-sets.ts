/**
 * `GET|PUT /environments/{id}/var-sets`: the variable sets an environment applies to its runs, in order (a later
 * set's value wins; the environment's own `env` wins over all of them). Team environments take team sets only, so
 * a personal set never reaches other people's runs.
 */
import type { Principal } from '../../db/api-keys';
import type { AttachVarSetsRequest, EnvironmentVarSets } from '../../domain';
import { AppError } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { findVisibleEnvironment } from '../environments/environment-access';
import { requirePermission } from '../permissions';
import { assertMayWriteRow, visibleConfigWhere } from '../team/config-access';

export async function getEnvironmentVarSets(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; environmentId: string },
): Promise<EnvironmentVarSets> {
  requirePermission(input.principal, 'view', 'read environments');
  const env = await findVisibleEnvironment(deps.db, input.principal, input.environmentId);
  const rows = await deps.db.varSet.findMany({
    where: { teamId: env.teamId, id: { in: env.varSetIds } },
    select: { id: true, name: true },
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    environment_id: env.id,
    var_sets: env.varSetIds.flatMap((id) => {
      const row = byId.get(id);
      return row ? [{ id: row.id, name: row.name }] : [];
    }),
  };
}

export async function setEnvironmentVarSets(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; environmentId: string; request: AttachVarSetsRequest },
): Promise<EnvironmentVarSets> {
  const { db, logger } = deps;
  const { principal, request } = input;
  const env = await findVisibleEnvironment(db, principal, input.environmentId);
  assertMayWriteRow(principal, env, 'change', 'environments');
  const ids: string[] = [];
  for (const [i, ref] of request.var_set_ids.entries()) {
    const rows = await db.varSet.findMany({
      where: { AND: [visibleConfigWhere(principal), { OR: [{ id: ref }, { name: ref }] }] },
      select: { id: true, name: true, scope: true, ownerUserId: true },
    });
    const usable = rows.filter(
      (r) => r.scope === 'Team' || (env.scope === 'User' && r.ownerUserId === env.ownerUserId),
    );
    if (usable.length === 0) {
      throw new AppError(
        'invalid_request',
        `var_set_ids[${i}]: ${JSON.stringify(ref)} names no variable set this environment may use` +
          (rows.length > 0
            ? ' (a team environment takes team variable sets only)'
            : '; list them with GET /api/v1/vars'),
      );
    }
    if (usable.length > 1) {
      throw new AppError(
        'invalid_request',
        `var_set_ids[${i}]: ${JSON.stringify(ref)} names several sets; give the id`,
      );
    }
    if (ids.includes(usable[0]!.id)) {
      throw new AppError('invalid_request', `var_set_ids[${i}]: ${JSON.stringify(ref)} is given twice`);
    }
    ids.push(usable[0]!.id);
  }
  await db.$transaction(async (tx) => {
    await tx.environment.update({ where: { id: env.id }, data: { varSetIds: ids, updatedAt: new Date() } });
    await recordAudit(tx, {
      teamId: principal.teamId,
      principal,
      action: 'environment.var_sets_set',
      targetType: 'environment',
      targetId: env.id,
      data: { var_set_ids: ids },
    });
  });
  logger.info({ environmentId: env.id, varSetIds: ids }, 'environment variable sets set');
  return getEnvironmentVarSets(deps, { principal, environmentId: env.id });
}
