/** Maps schedule rows (with what Temporal says about their next firing) to the API's ScheduledAgentItem. */
import type { Client } from '@temporalio/client';
import type { Db } from '../../db/client';
import { SCHEDULE_OVERLAP_POLICIES, type ScheduledAgentItem, type ScheduleOverlapPolicy } from '../../domain';
import { ENVIRONMENT_INCLUDE, toCloudEnvironment } from '../environments';
import type { ScheduleRow } from './schedule-access';
import { describeTemporalSchedule } from './temporal-schedule';

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

export function overlapOf(row: Pick<ScheduleRow, 'overlapPolicy'>): ScheduleOverlapPolicy {
  return (SCHEDULE_OVERLAP_POLICIES as readonly string[]).includes(row.overlapPolicy)
    ? (row.overlapPolicy as ScheduleOverlapPolicy)
    : 'skip';
}

export interface ScheduleItemContext {
  users: Map<string, { id: string; displayName: string; email: string | null }>;
  environments: Map<string, ScheduledAgentItem['environment']>;
  nextRuns: Map<string, Date | undefined>;
}

/** Loads creators, environments and next firings for the rows (one query each, one describe per schedule). */
export async function loadItemContext(db: Db, temporal: Client, rows: ScheduleRow[]): Promise<ScheduleItemContext> {
  const userIds = [...new Set(rows.map((r) => r.createdByUserId).filter((id): id is string => id !== null))];
  const envIds = [
    ...new Set(
      rows
        .map((r) => (isObject(r.agentConfig) ? r.agentConfig['environment_id'] : undefined))
        .filter((id): id is string => typeof id === 'string'),
    ),
  ];
  const [users, environments, descriptions] = await Promise.all([
    userIds.length
      ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, displayName: true, email: true } })
      : [],
    envIds.length
      ? db.environment.findMany({ where: { id: { in: envIds } }, include: ENVIRONMENT_INCLUDE })
      : Promise.resolve([]),
    Promise.all(rows.map(async (r) => [r.id, await describeTemporalSchedule(temporal, r.id)] as const)),
  ]);
  return {
    users: new Map(users.map((u) => [u.id, u])),
    environments: new Map(environments.map((e) => [e.id, toCloudEnvironment(e).config])),
    nextRuns: new Map(descriptions.map(([id, d]) => [id, d?.info.nextActionTimes[0]])),
  };
}

export function toScheduledAgentItem(row: ScheduleRow, ctx: ScheduleItemContext): ScheduledAgentItem {
  const agentConfig = isObject(row.agentConfig) ? row.agentConfig : undefined;
  const envId = agentConfig?.['environment_id'];
  const environment = typeof envId === 'string' ? ctx.environments.get(envId) : undefined;
  const creator = row.createdByUserId ? ctx.users.get(row.createdByUserId) : undefined;
  const next = row.enabled ? ctx.nextRuns.get(row.id) : undefined;
  return {
    id: row.id,
    name: row.name,
    cron_schedule: row.cronSchedule,
    enabled: row.enabled,
    prompt: row.prompt ?? '',
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    last_spawn_error: row.lastSpawnError,
    ...(agentConfig ? { agent_config: agentConfig } : {}),
    ...(environment ? { environment } : {}),
    ...(creator
      ? {
          created_by: {
            type: 'user' as const,
            uid: creator.id,
            display_name: creator.displayName,
            ...(creator.email ? { email: creator.email } : {}),
          },
        }
      : {}),
    history: {
      last_ran: row.lastRanAt?.toISOString() ?? null,
      last_run_id: row.lastRunId,
      next_run: next?.toISOString() ?? null,
    },
    scope:
      row.scope === 'User'
        ? { type: 'User', ...(row.ownerUserId ? { uid: row.ownerUserId } : {}) }
        : { type: 'Team', uid: row.teamId },
    metadata: stringRecord(row.metadata),
    time_zone: row.timeZone,
    overlap_policy: overlapOf(row),
    catchup_window_seconds: row.catchupWindowSeconds,
  };
}

export async function toScheduledAgentItems(
  db: Db,
  temporal: Client,
  rows: ScheduleRow[],
): Promise<ScheduledAgentItem[]> {
  const ctx = await loadItemContext(db, temporal, rows);
  return rows.map((r) => toScheduledAgentItem(r, ctx));
}

export async function toItem(db: Db, temporal: Client, row: ScheduleRow): Promise<ScheduledAgentItem> {
  return (await toScheduledAgentItems(db, temporal, [row]))[0]!;
}
