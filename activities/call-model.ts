import { composeInstructions } from '../src/domain/resolution';
import {
  APICallError,
  generateText,
  jsonSchema,
  LoadAPIKeyError,
  streamText,
  tool,
  type ModelMessage,
  type ToolSet,
} from 'ai';
import { ApplicationFailure } from '@temporalio/activity';
import type { Prisma } from '../src/generated/prisma/client';
import { ResolvedAgentConfigSchema } from '../src/domain/agent-config';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import type { ActivityDeps } from './deps';
import { userFailure } from './failures';
import { withHeartbeat } from './heartbeat';
import { knownSecretsRedactor } from '../src/secrets/known-values';
import { modelCredentialsFor } from './secrets';
import { appendEvents, nextMessageSeq, runNotFound } from './record';
import type { ToolDefinition } from './tools/types';

export const AGENT_INSTRUCTIONS = [
  'You are Ambit, an autonomous software agent running unattended in a workspace.',
  'Use the tools to inspect and change files and to run commands; work until the task is done,',
  'then answer with a concise report of what you did and what remains. Nobody can answer questions mid-run.',
].join(' ');

export interface ModelTurnToolCall {
  id: string;
  name: string;
  input: unknown;
}

export interface ModelTurn {
  finishReason: string;
  /** Kept beside `toolCalls`: histories recorded before `toolCalls` existed carry only the ids. */
  toolCallIds: string[];
  /** The calls to execute, in order: the workflow decides from name and input whether one waits for approval. */
  toolCalls?: ModelTurnToolCall[];
  /** The start of the assistant's text, for the workflow's status; the full text is in the transcript. */
  textPreview: string;
}

/** ToolCall rows are keyed by run, since providers only promise tool call ids unique within a conversation. */
export function toolCallRowId(runId: string, toolCallId: string): string {
  return `${runId}:${toolCallId}`;
}

/** Longest provider-requested wait Ambit honours before the next attempt; beyond it the policy's backoff rules. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** A provider's `retry-after-ms` / `Retry-After` (seconds or HTTP date), in milliseconds. */
export function retryAfterMs(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ms = Number(lower['retry-after-ms']);
  if (lower['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const ra = lower['retry-after'];
  if (ra === undefined) return undefined;
  const seconds = Number(ra);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(ra) - now;
  return Number.isFinite(wait) && wait >= 0 ? Math.min(wait, MAX_RETRY_AFTER_MS) : undefined;
}

/**
 * Maps a provider failure to what Temporal should do. Rejections (4xx other than 408/409/429) are permanent and
 * user-side. Everything else is retried, after the provider's Retry-After when it gave one. The thrown failure
 * carries the status and the provider's message only: the SDK's error holds the whole request (the transcript),
 * which must not end up in workflow histories or logs.
 */
function classifyModelError(err: unknown): never {
  if (APICallError.isInstance(err)) {
    const status = err.statusCode;
    const message = `the model provider answered HTTP ${status ?? 'error'}: ${err.message.slice(0, 500)}`;
    if (status !== undefined && status >= 400 && status < 500 && ![408, 409, 429].includes(status)) {
      throw userFailure(
        FailureType.ModelRequestRejected,
        RunErrorCode.ModelRequestRejected,
        message.replace('answered', 'rejected the request with'),
      );
    }
    const wait = retryAfterMs(err.responseHeaders);
    throw ApplicationFailure.create({
      message,
      type: FailureType.ModelProviderUnavailable,
      nonRetryable: false,
      ...(wait ? { nextRetryDelay: wait } : {}),
    });
  }
  if (LoadAPIKeyError.isInstance(err)) {
    throw userFailure(FailureType.InvalidConfig, RunErrorCode.InvalidConfig, err.message);
  }
  throw err;
}

export function createModelActivities(
  deps: Pick<ActivityDeps, 'db' | 'models' | 'settings' | 'logger' | 'secretKeys'>,
) {
  const { db, models, settings } = deps;
  return {
    /**
     * One agent turn's model call. The transcript is read from the database and the answer written back in one
     * transaction with the call's record; a retry after that commit returns the stored answer without calling
     * the provider again.
     */
    async callModel(input: { runId: string; turn: number; modelId: string }): Promise<ModelTurn> {
      const callId = `${input.runId}:turn-${input.turn}`;
      const done = await db.modelCall.findUnique({ where: { id: callId } });
      if (done) {
        const rows = await db.toolCall.findMany({
          where: { id: { in: done.toolCallIds.map((id) => toolCallRowId(input.runId, id)) } },
          select: { id: true, name: true, input: true },
        });
        const byRowId = new Map(rows.map((r) => [r.id, r]));
        const toolCalls = done.toolCallIds.map((id) => {
          const row = byRowId.get(toolCallRowId(input.runId, id));
          return { id, name: row?.name ?? '', input: row?.input ?? {} };
        });
        return {
          finishReason: done.finishReason,
          toolCallIds: done.toolCallIds,
          toolCalls,
          textPreview: done.text.slice(0, 500),
        };
      }

      const run = await db.run.findUnique({
        where: { id: input.runId },
        select: { agentConfig: true, toolDefinitions: true, teamId: true },
      });
      if (!run) throw runNotFound(input.runId);
      // A provider key configured as secret:NAME is the run's team's secret of that name.
      const credentials = await modelCredentialsFor(deps, run.teamId, input.modelId);
      const config = ResolvedAgentConfigSchema.partial().parse(run.agentConfig ?? {});
      const definitions = (run.toolDefinitions ?? []) as unknown as ToolDefinition[];
      const rows = await db.runMessage.findMany({ where: { runId: input.runId }, orderBy: { seq: 'asc' } });
      const messages = rows.map((r) => ({ role: r.role, content: r.content }) as ModelMessage);
      const tools: ToolSet = {};
      for (const d of definitions)
        tools[d.name] = tool({ description: d.description, inputSchema: jsonSchema(d.inputSchema) });
      // Base prompt, team rules and the repository's AGENTS.md, after the platform's own instructions.
      const instructions = composeInstructions(AGENT_INSTRUCTIONS, config);
      const model = (() => {
        try {
          return models.languageModel(input.modelId, credentials);
        } catch (err) {
          throw userFailure(FailureType.InvalidConfig, RunErrorCode.UnknownModel, (err as Error).message);
        }
      })();

      // Whatever the model says is stored and returned through Temporal: redacted of secret values first.
      const answered = await withHeartbeat(async (signal) => {
        try {
          const common = { model, instructions, messages, tools, maxRetries: 0, abortSignal: signal } as const;
          if (!settings.streaming) {
            const r = await generateText(common);
            return {
              text: r.text,
              finishReason: r.finishReason,
              toolCalls: r.toolCalls,
              usage: r.usage,
              responseMessages: r.responseMessages,
            };
          }
          let streamError: unknown;
          const s = streamText({ ...common, onError: ({ error }) => void (streamError = error) });
          for await (const _part of s.fullStream) {
            // Draining the stream drives the request; the result promises resolve from it.
          }
          if (streamError) throw streamError;
          const [text, finishReason, toolCalls, usage, responseMessages] = await Promise.all([
            s.text,
            s.finishReason,
            s.toolCalls,
            s.usage,
            s.responseMessages,
          ]);
          return { text, finishReason, toolCalls, usage, responseMessages };
        } catch (err) {
          return classifyModelError(err);
        }
      });

      const result = knownSecretsRedactor().redactDeep(answered);
      const toolCallIds = result.toolCalls.map((c) => c.toolCallId);
      const inputTokens = result.usage.inputTokens ?? 0;
      const outputTokens = result.usage.outputTokens ?? 0;
      const byName = new Map(definitions.map((d) => [d.name, d]));
      await db.$transaction(async (tx) => {
        // A concurrent duplicate attempt (rare: heartbeat timeout while still running) must not write twice.
        const again = await tx.modelCall.findUnique({ where: { id: callId } });
        if (again) return;
        await tx.modelCall.create({
          data: {
            id: callId,
            runId: input.runId,
            turn: input.turn,
            modelId: input.modelId,
            finishReason: result.finishReason,
            text: result.text,
            toolCallIds,
            inputTokens,
            outputTokens,
          },
        });
        let seq = await nextMessageSeq(tx, input.runId);
        for (const [i, m] of result.responseMessages.entries()) {
          await tx.runMessage.create({
            data: {
              runId: input.runId,
              key: `turn-${input.turn}-response-${i}`,
              seq: seq++,
              turn: input.turn,
              role: m.role,
              content: m.content as Prisma.InputJsonValue,
            },
          });
        }
        for (const c of result.toolCalls) {
          await tx.toolCall.create({
            data: {
              id: toolCallRowId(input.runId, c.toolCallId),
              runId: input.runId,
              turn: input.turn,
              name: c.toolName,
              category: byName.get(c.toolName)?.category ?? 'integration',
              input: (c.input ?? {}) as Prisma.InputJsonValue,
              state: 'pending',
            },
          });
        }
        await tx.run.update({
          where: { id: input.runId },
          data: {
            inputTokens: { increment: inputTokens },
            outputTokens: { increment: outputTokens },
            totalTokens: { increment: inputTokens + outputTokens },
            lastTurn: input.turn,
            updatedAt: new Date(),
          },
        });
        await appendEvents(tx, input.runId, [
          ...(result.text
            ? [
                {
                  key: `turn-${input.turn}-text`,
                  type: 'message' as const,
                  data: { role: 'assistant', turn: input.turn, text: result.text },
                },
              ]
            : []),
          ...result.toolCalls.map((c) => ({
            key: `tool-call-${c.toolCallId}`,
            type: 'tool_call' as const,
            data: {
              turn: input.turn,
              tool_call_id: c.toolCallId,
              name: c.toolName,
              input: (c.input ?? {}) as Prisma.InputJsonValue,
            },
          })),
          {
            key: `turn-${input.turn}-usage`,
            type: 'usage',
            data: { turn: input.turn, input_tokens: inputTokens, output_tokens: outputTokens },
          },
        ]);
      });
      return {
        finishReason: result.finishReason,
        toolCallIds,
        toolCalls: result.toolCalls.map((c) => ({
          id: c.toolCallId,
          name: c.toolName,
          input: (c.input as unknown) ?? {},
        })),
        textPreview: result.text.slice(0, 500),
      };
    },
  };
}
