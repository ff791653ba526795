/** Maps a run row (with its artifacts and creator) to the contract's RunItem. */
import type { AppConfig } from '../config';
import {
  ARTIFACT_TYPES,
  isTerminalState,
  RUN_STATES,
  type ArtifactItem,
  type ArtifactType,
  type RunItem,
  type RunState,
} from '../domain';
import type { RunWithRelations } from './run-access';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObject(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** ISO 8601 duration with whole seconds, e.g. PT2M30S, PT1H0M5S, PT0S. */
export function isoDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `PT${h}H${m}M${s}S`;
  if (m > 0) return `PT${m}M${s}S`;
  return `PT${s}S`;
}

function toState(s: string): RunState {
  return (RUN_STATES as readonly string[]).includes(s) ? (s as RunState) : 'ERROR';
}

export function toArtifactItem(a: { artifactType: string; createdAt: Date; data: unknown }): ArtifactItem | undefined {
  if (!(ARTIFACT_TYPES as readonly string[]).includes(a.artifactType)) return undefined;
  return {
    artifact_type: a.artifactType as ArtifactType,
    created_at: a.createdAt.toISOString(),
    data: isObject(a.data) ? a.data : {},
  } as ArtifactItem;
}

function statusMessage(v: unknown): RunItem['status_message'] {
  if (!isObject(v) || typeof v['message'] !== 'string') return undefined;
  return {
    message: v['message'],
    ...(typeof v['error_code'] === 'string' ? { error_code: v['error_code'] } : {}),
    ...(typeof v['retryable'] === 'boolean' ? { retryable: v['retryable'] } : {}),
  };
}

function schedule(v: unknown): RunItem['schedule'] {
  if (!isObject(v)) return undefined;
  const { schedule_id, schedule_name, cron_schedule } = v;
  if (typeof schedule_id !== 'string' || typeof schedule_name !== 'string' || typeof cron_schedule !== 'string') {
    return undefined;
  }
  return { schedule_id, schedule_name, cron_schedule };
}

export function toRunItem(run: RunWithRelations, config: AppConfig, now: Date = new Date()): RunItem {
  const state = toState(run.state);
  const item: RunItem = {
    run_id: run.id,
    task_id: run.id,
    title: run.title,
    state,
    prompt: run.prompt,
    created_at: run.createdAt.toISOString(),
    updated_at: run.updatedAt.toISOString(),
    execution_location: run.executionLocation === 'LOCAL' ? 'LOCAL' : 'REMOTE',
    session_link: `${config.publicUrl}/runs/${encodeURIComponent(run.id)}`,
    request_usage: { total_tokens: run.totalTokens },
    conversation_id: run.conversationId,
    artifacts: run.artifacts.map(toArtifactItem).filter((a): a is ArtifactItem => a !== undefined),
    scope:
      run.scopeType === 'User'
        ? { type: 'User', ...(run.creatorUserId ? { uid: run.creatorUserId } : {}) }
        : { type: 'Team', uid: run.teamId },
    metadata: stringRecord(run.metadata),
    is_run_type_cancellable: !isTerminalState(state),
  };
  if (run.startedAt) {
    item.started_at = run.startedAt.toISOString();
    item.run_time = isoDuration((run.endedAt ?? now).getTime() - run.startedAt.getTime());
  }
  const status = statusMessage(run.statusMessage);
  if (status) item.status_message = status;
  if (run.source) item.source = run.source as RunItem['source'];
  const sched = schedule(run.schedule);
  if (sched) item.schedule = sched;
  if (run.triggerUrl) item.trigger_url = run.triggerUrl;
  if (run.creator) {
    item.creator = {
      type: run.creatorType === 'service_account' ? 'service_account' : 'user',
      uid: run.creator.id,
      display_name: run.creator.displayName,
      ...(run.creator.email ? { email: run.creator.email } : {}),
    };
  }
  const agentConfig = isObject(run.agentConfig)
    ? run.agentConfig
    : isObject(run.requestConfig)
      ? run.requestConfig
      : undefined;
  if (agentConfig) item.agent_config = agentConfig;
  if (run.parentRunId) item.parent_run_id = run.parentRunId;
  return item;
}
