/**
 * Creates a run: the row (state QUEUED) and its first event in one statement, then the workflow. A run row never
 * outlives a failed workflow start; a crash between the two is repaired by `reconcileQueuedRuns` at start-up.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../db/api-keys';
import { MetadataSchema, type RunAgentRequest, type RunAgentResponse } from '../domain';
import type { Prisma } from '../generated/prisma/client';
import { AppError } from './app-error';
import { recordAudit } from './audit';
import type { ServiceDeps } from './deps';
import { findVisibleEnvironment } from './environments/environment-access';
import { requirePermission } from './permissions';
import { findVisibleRun } from './run-access';
import { prepareRunConfig } from './team/prepare-run-config';
import { isHostAtCapacity } from './hosts';
import { startRunWorkflow } from './run-workflow';

export const TITLE_MAX_LENGTH = 80;

export function newRunId(): string {
  return `run_${randomBytes(12).toString('hex')}`;
}

/**
 * The run id an `Idempotency-Key` maps to, per team: a client retrying a creation whose response it lost gets
 * the same run back instead of a second one (the official SDKs retry POSTs).
 */
export function idempotentRunId(teamId: string, idempotencyKey: string): string {
  return `run_${createHash('sha256').update(`${teamId}\0${idempotencyKey}`).digest('hex').slice(0, 24)}`;
}

/** A title from the first non-empty line of the prompt, cut at a word boundary to at most 80 characters. */
export function titleFromPrompt(prompt: string | undefined, fallback: string): string {
  const line = (prompt ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .find((l) => l.length > 0);
  if (!line) return fallback;
  if (line.length <= TITLE_MAX_LENGTH) return line;
  const cut = line.slice(0, TITLE_MAX_LENGTH - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > TITLE_MAX_LENGTH / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export interface StartRunInput {
  principal: Principal;
  request: RunAgentRequest;
  /** From the `Idempotency-Key` header: the same key within a team always yields the same run. */
  idempotencyKey?: string;
}

/** What a trigger (integration, schedule, webhook) adds to a run it creates. */
export interface RunOrigin {
  /** A deterministic run id derived from the event: a second creation with it returns the first run. */
  runId?: string;
  /** Link back to what triggered the run (issue comment, Slack thread, webhook delivery). */
  triggerUrl?: string;
  /** The run_triggers row, written in the same statement as the run. */
  trigger?: { type: string; integrationId?: string; deliveryId?: string; target?: Prisma.InputJsonValue };
  scheduleId?: string;
  schedule?: Prisma.InputJsonValue;
}

export interface CreateRunResult {
  response: RunAgentResponse;
  /** False when the run id already existed (a repeated request or event): nothing new was started. */
  created: boolean;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

export async function startRun(deps: ServiceDeps, input: StartRunInput): Promise<RunAgentResponse> {
  return (await createRun(deps, input)).response;
}

/**
 * The one place runs are created (API, triggers, schedules): row + first event (+ trigger row) in one statement,
 * then the workflow. With a deterministic id (`idempotencyKey` or `origin.runId`) a repeat returns the existing run
 * with `created: false`.
 */
export async function createRun(
  deps: ServiceDeps,
  input: StartRunInput & { origin?: RunOrigin },
): Promise<CreateRunResult> {
  const inserted = await insertRun(deps, input);
  if (!inserted.created) return inserted;
  const { db, temporal, config, logger } = deps;
  const { principal } = input;
  const runId = inserted.response.run_id;
  // Read before the run starts, so a run that takes the host's last slot does not report itself.
  const atCapacity = await isHostAtCapacity(deps, input.request.config?.worker_host);
  try {
    await startRunWorkflow(temporal, config, runId);
  } catch (err) {
    logger.error({ err, runId }, 'starting the run workflow failed; removing the run row');
    await db
      .$transaction(async (tx) => {
        await tx.run.delete({ where: { id: runId } });
        await recordAudit(tx, {
          teamId: principal.teamId,
          principal,
          action: 'run.start_failed',
          targetType: 'run',
          targetId: runId,
          runId,
          data: { reason: 'the workflow service could not start the run; the run was removed' },
        });
      })
      .catch((deleteErr: unknown) => {
        logger.error({ err: deleteErr, runId }, 'removing the run row after a failed workflow start failed');
      });
    throw new AppError('resource_unavailable', 'the workflow service could not start the run; retry shortly', {
      status: 503,
      headers: { 'Retry-After': '1' },
      cause: err,
    });
  }
  logger.info({ runId, teamId: principal.teamId }, 'run started');
  return { ...inserted, response: { ...inserted.response, at_capacity: atCapacity } };
}

/**
 * The row part of `createRun`: checks, then the run row (QUEUED) with its first event, without starting the
 * workflow. For callers that start the workflow themselves: a schedule's firing starts the run as its child
 * workflow, so the schedule's overlap policy covers the whole run.
 */
export async function insertRun(
  deps: Pick<ServiceDeps, 'db'>,
  input: StartRunInput & { origin?: RunOrigin },
): Promise<CreateRunResult> {
  const { db } = deps;
  const origin = input.origin ?? {};
  const { principal, request } = input;
  requirePermission(principal, 'run', 'start runs');
  const team = request.team ?? true;
  if (!team && principal.userId === null) {
    throw new AppError(
      'invalid_request',
      'team: false creates a personal run, which needs a user API key; this key belongs to the team (send team: true)',
    );
  }

  let parent: { id: string; ancestorRunIds: string[]; metadata: Prisma.JsonValue } | undefined;
  if (request.parent_run_id !== undefined) {
    parent = await findVisibleRun(db, principal, request.parent_run_id);
  }
  const inherited =
    parent && typeof parent.metadata === 'object' && !Array.isArray(parent.metadata) ? parent.metadata : {};
  const merged = MetadataSchema.safeParse({ ...inherited, ...request.metadata });
  if (!merged.success) {
    throw new AppError(
      'invalid_request',
      `metadata: together with the ${Object.keys(inherited ?? {}).length} keys inherited from the parent run, ${merged.error.issues[0]?.message ?? 'invalid'}`,
    );
  }

  const config_ = request.config ?? {};
  const deterministic = input.idempotencyKey !== undefined || origin.runId !== undefined;
  const runId =
    origin.runId ?? (input.idempotencyKey ? idempotentRunId(principal.teamId, input.idempotencyKey) : newRunId());
  const existingRun = (state: string): CreateRunResult => ({
    response: { run_id: runId, task_id: runId, state: state as RunAgentResponse['state'], at_capacity: false },
    created: false,
  });
  if (deterministic) {
    const existing = await db.run.findUnique({ where: { id: runId }, select: { state: true } });
    if (existing) return existingRun(existing.state);
  }
  if (config_.environment_id !== undefined) {
    await findVisibleEnvironment(db, principal, config_.environment_id, 'config.environment_id');
  }
  // Central configuration: saved prompt rendered now (the run records its version), named objects checked.
  const prepared = await prepareRunConfig(db, principal, request.prompt, config_, request.skill);
  const extras: Record<string, unknown> = {};
  if (request.skill !== undefined) extras['skill'] = request.skill;
  if (request.mode !== undefined) extras['mode'] = request.mode;
  if (request.interactive !== undefined) extras['interactive'] = request.interactive;
  if (request.attachments !== undefined) extras['attachments'] = request.attachments;

  const runData = {
    id: runId,
    teamId: principal.teamId,
    creatorUserId: principal.userId,
    creatorType: principal.userId === null ? 'service_account' : 'user',
    scopeType: team ? 'Team' : 'User',
    title:
      request.title ??
      titleFromPrompt(
        prepared.prompt,
        request.skill ?? config_.skill_spec ?? config_.saved_prompt?.name ?? 'Untitled run',
      ),
    prompt: prepared.prompt ?? '',
    state: 'QUEUED',
    source: request.source ?? 'API',
    executionLocation: prepared.executionLocation,
    requestConfig: prepared.config,
    configName: config_.name ?? null,
    modelId: config_.model_id ?? null,
    environmentId: config_.environment_id ?? null,
    parentRunId: parent?.id ?? null,
    ancestorRunIds: parent ? [...parent.ancestorRunIds, parent.id] : [],
    conversationId: request.conversation_id ?? randomUUID(),
    metadata: merged.data,
    triggerUrl: origin.triggerUrl ?? null,
    scheduleId: origin.scheduleId ?? null,
    ...(origin.schedule !== undefined ? { schedule: origin.schedule } : {}),
    ...(origin.trigger
      ? {
          trigger: {
            create: {
              type: origin.trigger.type,
              integrationId: origin.trigger.integrationId ?? null,
              deliveryId: origin.trigger.deliveryId ?? null,
              target: origin.trigger.target ?? {},
            },
          },
        }
      : {}),
    // The request fields without a column of their own (skill, mode, attachments) travel with the creation event.
    events: { create: { key: 'created', type: 'state_changed', data: { state: 'QUEUED', ...extras } } },
  } satisfies Prisma.RunUncheckedCreateInput;
  const scopeType = team ? 'Team' : 'User';
  // The run and its audit entry land together; the audit row stays even if the workflow then fails to start (the
  // log says so with run.start_failed), since the log is append-only.
  const created = db.$transaction(async (tx) => {
    await tx.run.create({ data: runData });
    await recordAudit(tx, {
      teamId: principal.teamId,
      principal,
      // A schedule or an integration acts on its own account, whoever's key it holds.
      ...(origin.trigger || origin.scheduleId ? { actorType: 'trigger' as const } : {}),
      action: 'run.created',
      targetType: 'run',
      targetId: runId,
      runId,
      data: {
        scope: scopeType,
        source: runData.source,
        ...(parent ? { parent_run_id: parent.id } : {}),
        ...(origin.trigger ? { trigger: origin.trigger.type } : {}),
        ...(origin.scheduleId ? { schedule_id: origin.scheduleId } : {}),
      },
    });
  });
  try {
    await created;
  } catch (err) {
    // Two requests with one idempotency key (or one event) at once: the second finds the first's run.
    if (deterministic && isUniqueViolation(err)) return existingRun('QUEUED');
    throw err;
  }

  return { response: { run_id: runId, task_id: runId, state: 'QUEUED', at_capacity: false }, created: true };
}
