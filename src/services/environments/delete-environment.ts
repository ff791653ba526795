/**
 * `DELETE /environments/{id}`. Runs, schedules, integrations and the team's settings refer to environments by id
 * only; deleting one that runs which have not ended, a schedule, an integration or the team default still use would
 * pull the ground from under them, so that answers 409 naming the users unless `force` is given.
 */
import type { Principal } from '../../db/api-keys';
import { TERMINAL_STATES, type DeleteEnvironmentResponse } from '../../domain';
import { AppError, notFound } from '../app-error';
import type { ServiceDeps } from '../deps';
import { visibleRunsWhere } from '../run-access';
import { recordAudit } from '../audit';
import { assertMayWriteEnvironment, findVisibleEnvironment, isRecordNotFound } from './environment-access';

/** Run ids named in the 409's detail; the count covers all of them. */
const RUNS_NAMED = 5;

export interface DeleteEnvironmentInput {
  principal: Principal;
  environmentId: string;
  /** Delete even while runs that have not ended use it. */
  force?: boolean;
}

export async function deleteEnvironment(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: DeleteEnvironmentInput,
): Promise<DeleteEnvironmentResponse> {
  const { db, logger } = deps;
  const { principal, environmentId } = input;
  const environment = await findVisibleEnvironment(db, principal, environmentId);
  assertMayWriteEnvironment(principal, environment, 'delete');
  if (!input.force) {
    const using = { teamId: environment.teamId, environmentId, state: { notIn: [...TERMINAL_STATES] } };
    const [count, named] = await Promise.all([
      db.run.count({ where: using }),
      // Only runs this key may see are named; the others are counted.
      db.run.findMany({
        where: { AND: [using, visibleRunsWhere(principal)] },
        select: { id: true },
        orderBy: { createdAt: 'asc' },
        take: RUNS_NAMED,
      }),
    ]);
    const [schedules, integrations, team] = await Promise.all([
      db.schedule.findMany({
        where: { teamId: environment.teamId, agentConfig: { path: ['environment_id'], equals: environmentId } },
        select: { name: true },
        orderBy: { name: 'asc' },
      }),
      db.integration.findMany({
        where: { teamId: environment.teamId, config: { path: ['environment_id'], equals: environmentId } },
        select: { type: true, name: true },
        orderBy: { name: 'asc' },
      }),
      db.team.findUnique({ where: { id: environment.teamId }, select: { defaultEnvironmentId: true } }),
    ]);
    const users = [
      ...schedules.map((x) => `schedule ${JSON.stringify(x.name)}`),
      ...integrations.map((x) => `${x.type} integration ${JSON.stringify(x.name)}`),
      ...(team?.defaultEnvironmentId === environmentId ? ['the team settings (default_environment_id)'] : []),
    ];
    if (users.length > 0) {
      throw new AppError(
        'conflict',
        `environment ${environmentId} is used by ${users.join(', ')}; point ${users.length === 1 ? 'it' : 'them'} ` +
          'at another environment first, or delete with ?force=true',
        { retryable: false, headers: { 'x-should-retry': 'false' } },
      );
    }
    if (count > 0) {
      const one = count === 1;
      const ids = named.map((r) => r.id).join(', ');
      throw new AppError(
        'conflict',
        `environment ${environmentId} is used by ${count} ${one ? 'run that has' : 'runs that have'} not ended` +
          `${ids ? ` (${ids}${count > named.length ? ', …' : ''})` : ''}; wait for ${one ? 'it' : 'them'} to end ` +
          `or cancel ${one ? 'it' : 'them'}, or delete with ?force=true`,
        { retryable: false, headers: { 'x-should-retry': 'false' } },
      );
    }
  }
  try {
    await db.$transaction(async (tx) => {
      await tx.environment.delete({ where: { id: environment.id } });
      // A forced delete leaves no dangling team default (runs then fall back to the host's default environment).
      await tx.team.updateMany({
        where: { id: environment.teamId, defaultEnvironmentId: environment.id },
        data: { defaultEnvironmentId: null },
      });
      await recordAudit(tx, {
        teamId: environment.teamId,
        principal,
        action: 'environment.deleted',
        targetType: 'environment',
        targetId: environment.id,
        data: { name: environment.name, scope: environment.scope, force: input.force === true },
      });
    });
  } catch (err) {
    if (isRecordNotFound(err)) throw notFound('Environment', environmentId);
    throw err;
  }
  logger.info({ environmentId, teamId: principal.teamId, force: input.force === true }, 'environment deleted');
  return { success: true };
}
