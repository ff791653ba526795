/**
 * The Temporal Schedule behind each schedule row (same id). Temporal owns the timing: cron in the row's time zone,
 * overlap policy, catch-up window, pause state. Each firing starts `scheduledRunWorkflow`, which creates the run.
 */
import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleOverlapPolicy as TemporalOverlapPolicy,
} from '@temporalio/client';
import { runsTaskQueue, type AppConfig } from '../../config';
import { SCHEDULED_RUN_WORKFLOW_TYPE, type BackfillOverlapPolicy, type ScheduledRunWorkflowInput } from '../../domain';
import type { ScheduleRow } from './schedule-access';

const OVERLAP: Record<BackfillOverlapPolicy, TemporalOverlapPolicy> = {
  skip: 'SKIP',
  buffer_one: 'BUFFER_ONE',
  buffer_all: 'BUFFER_ALL',
  allow_all: 'ALLOW_ALL',
};

export function temporalOverlap(policy: string): TemporalOverlapPolicy {
  return OVERLAP[policy as BackfillOverlapPolicy] ?? 'SKIP';
}

type TimingFields = Pick<
  ScheduleRow,
  'id' | 'cronSchedule' | 'timeZone' | 'overlapPolicy' | 'catchupWindowSeconds' | 'enabled' | 'name'
>;

function spec(row: TimingFields): ScheduleOptions['spec'] {
  return { cronExpressions: [row.cronSchedule], timezone: row.timeZone };
}

function action(row: TimingFields, config: AppConfig): ScheduleOptions['action'] {
  const input: ScheduledRunWorkflowInput = { scheduleId: row.id };
  return {
    type: 'startWorkflow',
    workflowType: SCHEDULED_RUN_WORKFLOW_TYPE,
    // Temporal appends the firing's time, so each firing has its own workflow id.
    workflowId: row.id,
    taskQueue: runsTaskQueue(config.temporal.taskQueuePrefix),
    args: [input],
  };
}

function policies(row: TimingFields): ScheduleOptions['policies'] {
  return { overlap: temporalOverlap(row.overlapPolicy), catchupWindow: row.catchupWindowSeconds * 1000 };
}

const note = (row: TimingFields) => (row.enabled ? 'enabled' : 'paused in Ambit');

export async function createTemporalSchedule(temporal: Client, config: AppConfig, row: TimingFields): Promise<void> {
  await temporal.schedule.create({
    scheduleId: row.id,
    spec: spec(row),
    action: action(row, config),
    policies: policies(row),
    state: { paused: !row.enabled, note: note(row) },
  });
}

/** Replaces timing, action and pause state with the row's. */
export async function updateTemporalSchedule(temporal: Client, config: AppConfig, row: TimingFields): Promise<void> {
  await temporal.schedule.getHandle(row.id).update(() => ({
    spec: spec(row),
    action: action(row, config),
    policies: policies(row),
    state: { paused: !row.enabled, note: note(row) },
  }));
}

/** Deletes it; one already gone counts as deleted. */
export async function deleteTemporalSchedule(temporal: Client, scheduleId: string): Promise<void> {
  try {
    await temporal.schedule.getHandle(scheduleId).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

/** The description, or undefined when Temporal cannot be asked right now (the item then has no next_run). */
export async function describeTemporalSchedule(
  temporal: Client,
  scheduleId: string,
): Promise<ScheduleDescription | undefined> {
  try {
    return await temporal.schedule.getHandle(scheduleId).describe();
  } catch {
    return undefined;
  }
}

export async function setTemporalSchedulePaused(temporal: Client, scheduleId: string, paused: boolean): Promise<void> {
  const handle = temporal.schedule.getHandle(scheduleId);
  if (paused) await handle.pause('paused in Ambit');
  else await handle.unpause('resumed in Ambit');
}
