import type { Principal } from '../../db/api-keys';
import { DEFAULT_CATCHUP_WINDOW_SECONDS, type ReplaceScheduleRequest, type ScheduledAgentItem } from '../../domain';
import { Prisma } from '../../generated/prisma/client';
import type { ServiceDeps } from '../deps';
import { checkScheduleConfig } from './create-schedule';
import { assertMayChangeSchedules, findVisibleSchedule } from './schedule-access';
import { toItem } from './schedule-item';
import { changeSchedule } from './sync-temporal';

/** PUT: a full replace; optional fields left out go back to their defaults (UTC, skip, 3600 s, no config). */
export async function replaceSchedule(
  deps: ServiceDeps,
  input: { principal: Principal; scheduleId: string; request: ReplaceScheduleRequest },
): Promise<ScheduledAgentItem> {
  const { principal, request } = input;
  // Looked up first: an invisible schedule is 404 for every role, a visible one 403 for viewers.
  await findVisibleSchedule(deps.db, principal, input.scheduleId);
  assertMayChangeSchedules(principal, 'update');
  await checkScheduleConfig(deps, principal, request.agent_config);
  const row = await changeSchedule(deps, {
    principal,
    scheduleId: input.scheduleId,
    action: 'schedule.updated',
    verb: 'update',
    change: () => ({
      name: request.name,
      cronSchedule: request.cron_schedule,
      enabled: request.enabled,
      prompt: request.prompt ?? null,
      agentConfig: request.agent_config ?? Prisma.DbNull,
      metadata: request.metadata ?? {},
      timeZone: request.time_zone ?? 'UTC',
      overlapPolicy: request.overlap_policy ?? 'skip',
      catchupWindowSeconds: request.catchup_window_seconds ?? DEFAULT_CATCHUP_WINDOW_SECONDS,
      lastSpawnError: null,
    }),
    auditData: (r) => ({ name: r.name, cron_schedule: r.cronSchedule, time_zone: r.timeZone, enabled: r.enabled }),
  });
  return await toItem(deps.db, deps.temporal, row!);
}
