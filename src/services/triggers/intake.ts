/**
 * Exactly-once intake of integration events. Every event maps to a deterministic run id (integration +
 * conversation: issue, thread, or the delivery itself), which is also the workflow id, so:
 * - a redelivered or duplicated event finds the run it created (same delivery id) and starts nothing;
 * - a later event in the same conversation becomes a follow-up to that run (a new execution when it has ended),
 *   with a follow-up id derived from the delivery, so that one is taken once as well;
 * - two deliveries racing each other meet at the run row's primary key and Temporal's USE_EXISTING start.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../../db/api-keys';
import { AgentConfigSchema, type RunAgentRequest } from '../../domain';
import type { IntegrationAdapter, IntegrationRecord, TriggerEvent } from '../../integrations/types';
import { recordAudit } from '../audit';
import type { ServiceDeps } from '../deps';
import { sendFollowup } from '../send-followup';
import { createRun } from '../start-run';

/**
 * The run defaults an integration may set. They are not copied into the run's request: resolveRunConfig reads them
 * from the integration as the trigger layer (request > integration > environment > team), and the run's
 * agent_config says where each value came from.
 */
export const RunDefaultsSchema = AgentConfigSchema.pick({
  environment_id: true,
  model_id: true,
  base_prompt: true,
  mcp_servers: true,
  worker_host: true,
  max_turns: true,
  run_timeout_minutes: true,
  var_sets: true,
});

export type IntakeOutcome = 'started' | 'followup' | 'duplicate' | 'ignored';

export interface IntakeResult {
  run_id?: string;
  outcome: IntakeOutcome;
  delivery_id: string;
  reason?: string;
}

/** The run id of a conversation in an integration: the same key always gives the same run. */
export function triggerRunId(integrationId: string, conversationKey: string): string {
  return `run_${createHash('sha256').update(`trigger\0${integrationId}\0${conversationKey}`).digest('hex').slice(0, 24)}`;
}

/** A follow-up id derived from the delivery, in UUID form (the shape follow-up ids have elsewhere). */
export function triggerFollowupId(integrationId: string, deliveryId: string): string {
  const h = createHash('sha256').update(`followup\0${integrationId}\0${deliveryId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Runs started by an integration act as a team service account of the integration's team. */
export function integrationPrincipal(integration: IntegrationRecord): Principal {
  return {
    keyId: `integration:${integration.id}`,
    teamId: integration.teamId,
    userId: null,
    role: 'member',
    scope: 'team',
  };
}

const CONTEXT_HEADING = '\n\n---\nContext from the event that started this run:\n\n';

export async function intakeEvent(
  deps: ServiceDeps,
  input: { integration: IntegrationRecord; adapter: IntegrationAdapter; event: TriggerEvent },
): Promise<IntakeResult> {
  const { integration, adapter, event } = input;
  const conversationKey = event.conversationKey ?? `delivery:${event.deliveryId}`;
  const runId = triggerRunId(integration.id, conversationKey);
  const base = { run_id: runId, delivery_id: event.deliveryId };

  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await deps.db.run.findUnique({
      where: { id: runId },
      select: { id: true, trigger: { select: { deliveryId: true } } },
    });
    if (existing) return continueRun(deps, { integration, event, runId });
    if (!event.startsRun) {
      return { delivery_id: event.deliveryId, outcome: 'ignored', reason: 'no run to continue in this conversation' };
    }

    const context = event.buildContext ? await event.buildContext() : {};
    const request: RunAgentRequest = {
      prompt: `${event.prompt}${context.text ? `${CONTEXT_HEADING}${context.text}` : ''}`,
      ...(event.title ? { title: event.title.slice(0, 300) } : {}),
      team: true,
      source: adapter.source,
      ...(context.attachments?.length ? { attachments: context.attachments } : {}),
    };
    const principal = integrationPrincipal(integration);
    const { created } = await createRun(deps, {
      principal,
      request,
      origin: {
        runId,
        ...(event.triggerUrl ? { triggerUrl: event.triggerUrl } : {}),
        trigger: {
          type: integration.type,
          integrationId: integration.id,
          deliveryId: event.deliveryId,
          target: event.target as Record<string, string>,
        },
      },
    });
    if (created) {
      await recordAudit(deps.db, {
        teamId: integration.teamId,
        actorType: 'trigger',
        action: 'run.created',
        targetType: 'run',
        targetId: runId,
        runId,
        data: { integration_id: integration.id, type: integration.type, delivery_id: event.deliveryId },
      });
      deps.logger.info({ runId, integrationId: integration.id, deliveryId: event.deliveryId }, 'trigger started a run');
      return { ...base, outcome: 'started' };
    }
    // Another delivery created the run between our look and our insert: treat this one as what it is to that run.
  }
  return continueRun(deps, { integration, event, runId });
}

async function continueRun(
  deps: ServiceDeps,
  input: { integration: IntegrationRecord; event: TriggerEvent; runId: string },
): Promise<IntakeResult> {
  const { integration, event, runId } = input;
  const base = { run_id: runId, delivery_id: event.deliveryId };
  const trigger = await deps.db.runTrigger.findUnique({ where: { runId }, select: { deliveryId: true } });
  if (trigger?.deliveryId === event.deliveryId) return { ...base, outcome: 'duplicate' };
  const followupId = triggerFollowupId(integration.id, event.deliveryId);
  const seen = await deps.db.runMessage.findUnique({
    where: { runId_key: { runId, key: `followup-${followupId}` } },
    select: { seq: true },
  });
  if (seen) return { ...base, outcome: 'duplicate' };
  await sendFollowup(deps, {
    principal: integrationPrincipal(integration),
    runId,
    request: { message: event.prompt },
    followupId,
  });
  deps.logger.info({ runId, integrationId: integration.id, deliveryId: event.deliveryId }, 'trigger follow-up sent');
  return { ...base, outcome: 'followup' };
}
