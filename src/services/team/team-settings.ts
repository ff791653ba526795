/** `GET /team/settings` (any member) and `PATCH /team/settings` (admins): the team's run defaults. */
import type { Principal } from '../../db/api-keys';
import type { TeamSettings, UpdateTeamSettingsRequest } from '../../domain';
import { AppError, notFound } from '../app-error';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { findVisibleEnvironment } from '../environments/environment-access';
import { requirePermission } from '../permissions';

interface TeamRow {
  id: string;
  defaultModelId: string | null;
  basePrompt: string | null;
  defaultEnvironmentId: string | null;
  defaultWorkerHost: string | null;
  maxTurns: number | null;
  runTimeoutMinutes: number | null;
}

function toTeamSettings(team: TeamRow): TeamSettings {
  return {
    team_id: team.id,
    default_model_id: team.defaultModelId,
    base_prompt: team.basePrompt,
    default_environment_id: team.defaultEnvironmentId,
    default_worker_host: team.defaultWorkerHost,
    max_turns: team.maxTurns,
    run_timeout_minutes: team.runTimeoutMinutes,
  };
}

export async function getTeamSettings(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal },
): Promise<TeamSettings> {
  requirePermission(input.principal, 'view', 'read team settings');
  const team = await deps.db.team.findUnique({ where: { id: input.principal.teamId } });
  if (!team) throw notFound('Team', input.principal.teamId);
  return toTeamSettings(team);
}

export async function updateTeamSettings(
  deps: Pick<ServiceDeps, 'db' | 'logger'>,
  input: { principal: Principal; request: UpdateTeamSettingsRequest },
): Promise<TeamSettings> {
  const { db, logger } = deps;
  const { principal, request } = input;
  requirePermission(principal, 'admin', 'change team settings');
  if (request.default_environment_id) {
    const env = await findVisibleEnvironment(db, principal, request.default_environment_id, 'default_environment_id');
    if (env.scope !== 'Team') {
      throw new AppError(
        'invalid_request',
        `default_environment_id: ${env.id} is a personal environment; the team default must be a team environment`,
      );
    }
  }
  const data: Partial<Omit<TeamRow, 'id'>> = {};
  if (request.default_model_id !== undefined) data.defaultModelId = request.default_model_id;
  if (request.base_prompt !== undefined) data.basePrompt = request.base_prompt;
  if (request.default_environment_id !== undefined) data.defaultEnvironmentId = request.default_environment_id;
  if (request.default_worker_host !== undefined) data.defaultWorkerHost = request.default_worker_host;
  if (request.max_turns !== undefined) data.maxTurns = request.max_turns;
  if (request.run_timeout_minutes !== undefined) data.runTimeoutMinutes = request.run_timeout_minutes;
  const team = await db.$transaction(async (tx) => {
    const updated = await tx.team.update({ where: { id: principal.teamId }, data });
    await recordAudit(tx, {
      teamId: principal.teamId,
      principal,
      action: 'team.settings_updated',
      targetType: 'team',
      targetId: principal.teamId,
      // Which settings changed; the base prompt's text is not repeated in the log.
      data: { changed: Object.keys(request) },
    });
    return updated;
  });
  logger.info({ teamId: principal.teamId, changed: Object.keys(request) }, 'team settings updated');
  return toTeamSettings(team);
}
