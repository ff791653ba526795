import { AgentConfigSchema, type ResolvedAgentConfig } from '../src/domain/agent-config';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_MAX_TURNS, DEFAULT_RUN_TIMEOUT_MINUTES } from '../src/domain/limits';
import { hostTaskQueue } from '../src/config';
import type { RunPlan } from '../workflows/definitions';
import { describeAttachments, loadAttachments } from './attachments';
import type { ActivityDeps } from './deps';
import { userFailure } from './failures';
import { appendEvents, runNotFound } from './record';

const PLATFORM_HOST_ALIASES = new Set(['warp', 'default']);

export function createResolveConfigActivities({
  db,
  models,
  settings,
}: Pick<ActivityDeps, 'db' | 'models' | 'settings'>) {
  return {
    /**
     * Resolves the run's config (request over team defaults over platform defaults), records it on the run as
     * `agent_config`, seeds the transcript with the prompt, and returns the plan the workflow follows.
     */
    async resolveRunConfig(input: { runId: string }): Promise<RunPlan> {
      const run = await db.run.findUnique({ where: { id: input.runId }, include: { team: true } });
      if (!run) throw runNotFound(input.runId);
      const parsed = AgentConfigSchema.safeParse(run.requestConfig ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `config.${i.path.join('.')}: ${i.message}`).join('; ');
        throw userFailure(FailureType.InvalidConfig, RunErrorCode.InvalidConfig, detail);
      }
      const request = parsed.data;
      const harnessType = request.harness?.type === 'oz' || !request.harness ? 'ambit' : request.harness.type;
      const modelId =
        request.harness?.model_id ?? request.model_id ?? run.team.defaultModelId ?? settings.defaultModelId;
      if (!modelId && harnessType === 'ambit') {
        throw userFailure(
          FailureType.InvalidConfig,
          RunErrorCode.UnknownModel,
          'no model selected: set config.model_id, the team default model, or AMBIT_DEFAULT_MODEL on the worker',
        );
      }
      if (harnessType === 'ambit' && modelId) {
        try {
          models.languageModel(modelId);
        } catch (err) {
          throw userFailure(FailureType.InvalidConfig, RunErrorCode.UnknownModel, (err as Error).message);
        }
      }
      for (const [name, server] of Object.entries(request.mcp_servers ?? {})) {
        if ('warp_id' in server) {
          throw userFailure(
            FailureType.InvalidConfig,
            RunErrorCode.InvalidConfig,
            `config.mcp_servers.${name}: warp_id servers exist only on Warp's hosted platform; give {command, args, env} or {url, headers}`,
          );
        }
      }
      const hostId =
        !request.worker_host || PLATFORM_HOST_ALIASES.has(request.worker_host)
          ? settings.defaultHostId
          : request.worker_host;
      const resolved: ResolvedAgentConfig = {
        ...request,
        model_id: modelId ?? '',
        base_prompt: request.base_prompt ?? run.team.basePrompt ?? undefined,
        harness: { type: harnessType, ...(request.harness?.model_id ? { model_id: request.harness.model_id } : {}) },
        max_turns: request.max_turns ?? DEFAULT_MAX_TURNS,
        run_timeout_minutes: request.run_timeout_minutes ?? DEFAULT_RUN_TIMEOUT_MINUTES,
        idle_timeout_minutes: request.idle_timeout_minutes ?? DEFAULT_IDLE_TIMEOUT_MINUTES,
        worker_host: hostId,
      };
      // Read before the transaction: on the embedded database a query outside it would wait for it to end.
      const attachments = await loadAttachments(db, run.id);
      await db.$transaction(async (tx) => {
        await tx.run.update({
          where: { id: run.id },
          data: { agentConfig: resolved, modelId: modelId ?? null, updatedAt: new Date() },
        });
        // The prompt opens the transcript once; a retried activity finds it there.
        const hasPrompt = await tx.runMessage.findUnique({ where: { runId_key: { runId: run.id, key: 'prompt' } } });
        if (!hasPrompt) {
          const prompt = attachments.length ? `${run.prompt}\n\n${describeAttachments(attachments)}` : run.prompt;
          await tx.runMessage.create({
            data: { runId: run.id, key: 'prompt', seq: 1, turn: 0, role: 'user', content: prompt },
          });
          await appendEvents(tx, run.id, [
            { key: 'message-prompt', type: 'message', data: { role: 'user', turn: 0, text: prompt } },
          ]);
        }
      });
      return {
        modelId: modelId ?? '',
        harness: harnessType,
        maxTurns: resolved.max_turns,
        runTimeoutMs: resolved.run_timeout_minutes * 60_000,
        hostTaskQueue: hostTaskQueue(settings.taskQueuePrefix, hostId),
        startTurn: run.lastTurn + 1,
        ...(request.approvals ? { approvals: request.approvals } : {}),
      };
    },
  };
}
