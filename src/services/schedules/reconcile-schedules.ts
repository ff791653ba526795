/**
 * Puts every schedule row's Temporal Schedule back in step with the row, at API start-up: one Temporal lost (a dev
 * server started without its database) is created again, and one whose action or policies differ from the row and
 * this deployment's config (e.g. a new AMBIT_TASK_QUEUE_PREFIX) is updated. The row is the record.
 */
import { ScheduleNotFoundError } from '@temporalio/client';
import { runsTaskQueue } from '../../config';
import { SCHEDULED_RUN_WORKFLOW_TYPE } from '../../domain';
import type { ServiceDeps } from '../deps';
import type { ScheduleRow } from './schedule-access';
import { createTemporalSchedule, temporalOverlap, updateTemporalSchedule } from './temporal-schedule';

const BATCH = 100;

export interface ReconcileSchedulesResult {
  created: string[];
  updated: string[];
  failed: string[];
}

async function inStep(deps: ServiceDeps, row: ScheduleRow): Promise<boolean | 'missing'> {
  try {
    const d = await deps.temporal.schedule.getHandle(row.id).describe();
    return (
      d.action.type === 'startWorkflow' &&
      d.action.workflowType === SCHEDULED_RUN_WORKFLOW_TYPE &&
      d.action.taskQueue === runsTaskQueue(deps.config.temporal.taskQueuePrefix) &&
      d.state.paused === !row.enabled &&
      d.policies.overlap === temporalOverlap(row.overlapPolicy) &&
      d.policies.catchupWindow === row.catchupWindowSeconds * 1000 &&
      (d.spec.timezone ?? 'UTC') === row.timeZone
    );
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return 'missing';
    throw err;
  }
}

export async function reconcileSchedules(deps: ServiceDeps): Promise<ReconcileSchedulesResult> {
  const result: ReconcileSchedulesResult = { created: [], updated: [], failed: [] };
  let after: string | undefined;
  for (;;) {
    const rows = await deps.db.schedule.findMany({
      where: after ? { id: { gt: after } } : {},
      orderBy: { id: 'asc' },
      take: BATCH,
    });
    for (const row of rows) {
      try {
        const state = await inStep(deps, row);
        if (state === 'missing') {
          await createTemporalSchedule(deps.temporal, deps.config, row);
          result.created.push(row.id);
        } else if (!state) {
          await updateTemporalSchedule(deps.temporal, deps.config, row);
          result.updated.push(row.id);
        }
      } catch (err) {
        deps.logger.warn({ err, scheduleId: row.id }, 'could not reconcile a schedule with Temporal');
        result.failed.push(row.id);
      }
    }
    if (rows.length < BATCH) break;
    after = rows[rows.length - 1]?.id;
  }
  if (result.created.length || result.updated.length) {
    deps.logger.info(result, 'schedules put back in step with Temporal');
  }
  return result;
}
