import { createApprovalActivities } from './approvals';
import { createModelActivities } from './call-model';
import type { ActivityDeps } from './deps';
import { createEnvironmentActivities } from './environment';
import { createHostEnvironmentActivities } from './environment-host';
import { createEnvironmentRecordActivities } from './environment-record';
import { createHarnessActivities, createHostHarnessActivities } from './harness';
import { createInterruptActivities } from './interrupt';
import { createOutputActivities } from './outputs';
import { createFollowupActivities, createRecordActivities } from './record';
import { createResolveConfigActivities } from './resolve-config';
import { createScheduleActivities } from './schedules';
import { createSecretActivities, withSecretRedaction } from './secrets';
import { createHostToolActivities, createToolActivities, createToolRecordActivities } from './run-tool';

export type { ActivityDeps } from './deps';
export type { ModelTurn, ModelTurnToolCall } from './call-model';
export type { ToolCallResult } from './run-tool';

/** Every activity of the run workflow, built from injected dependencies (wired once in workers/). */
export function createActivities(deps: ActivityDeps) {
  // Host activities that open a run's secrets return (and fail with) redacted text only.
  return withSecretRedaction({
    ...createSecretActivities(deps),
    ...createRecordActivities(deps),
    ...createFollowupActivities(deps),
    ...createResolveConfigActivities(deps),
    ...createEnvironmentActivities(deps),
    ...createModelActivities(deps),
    ...createToolActivities(deps),
    ...createApprovalActivities(deps),
    ...createInterruptActivities(deps),
    ...createHarnessActivities(deps),
    // Host workers hold no database: host activities take their input from, and hand their results to, these.
    ...createHostEnvironmentActivities(deps),
    ...createEnvironmentRecordActivities(deps),
    ...createToolRecordActivities(deps),
    ...createHostToolActivities(deps),
    ...createHostHarnessActivities(deps),
    ...createOutputActivities(deps),
    ...createScheduleActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
