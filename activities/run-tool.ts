import type { Prisma } from '../src/generated/prisma/client';
import { ResolvedAgentConfigSchema } from '../src/domain/agent-config';
import type { EnvironmentRef } from '../workflows/definitions';
import { toolCallRowId } from './call-model';
import type { ActivityDeps } from './deps';
import { attachOrFail } from './environment';
import { withHeartbeat } from './heartbeat';
import { appendEvents, nextMessageSeq, runNotFound } from './record';
import { executeBuiltinTool } from './tools/builtin';
import { callMcpTool } from './tools/mcp';
import type { McpServer } from '../src/domain/agent-config';
import { secretEnvOf } from './environment-host';
import type { ToolDefinition, ToolOutcome } from './tools/types';
import {
  completePullRequest,
  preparePullRequest,
  pushPullRequestBranch,
  PULL_REQUEST_TOOL_NAME,
  type PreparedPullRequest,
} from './tools/pull-request';

export interface ToolCallResult {
  state: 'completed' | 'failed' | 'denied';
}

/** Keeps stored outputs (and what goes back to the model) bounded. */
const MAX_OUTPUT_JSON_CHARS = 200_000;
/** A host returns a tool's output through Temporal (it is recorded in the workflow's history): smaller still. */
const MAX_HOST_OUTPUT_JSON_CHARS = 100_000;

function bounded(output: Record<string, unknown>, max = MAX_OUTPUT_JSON_CHARS): Record<string, unknown> {
  const json = JSON.stringify(output);
  return json.length <= max ? output : { truncated: true, preview: json.slice(0, max) };
}

/** A tool call as the host executes it: everything it needs travels in the activity input. */
export interface HostToolCall {
  name: string;
  input: unknown;
  source: ToolDefinition['source'] | { kind: 'unknown' };
  /** The MCP server of an MCP tool, from the run's config. */
  server?: McpServer;
  /** open_pull_request: where to push, with the token sealed for the host (tools/pull-request.ts). */
  pullRequest?: PreparedPullRequest;
}

/** What `loadToolCall` answers: the call to execute, or the state it already ended in (a retry, a replay). */
export type LoadedToolCall = { done: ToolCallResult['state'] } | { call: HostToolCall };

type ToolCallRow = { turn: number; name: string };

type Tx = Prisma.TransactionClient;

/** Stores a tool's result on its row, in the transcript and as an event; a second write of the same call is a no-op. */
async function storeToolResult(
  tx: Tx,
  input: { runId: string; toolCallId: string; id: string; call: ToolCallRow },
  state: ToolOutcome['state'],
  output: Record<string, unknown>,
): Promise<void> {
  const current = await tx.toolCall.findUnique({ where: { id: input.id }, select: { state: true } });
  if (current?.state === 'completed' || current?.state === 'failed') return;
  await tx.toolCall.update({
    where: { id: input.id },
    data: { state, output: output as Prisma.InputJsonValue, completedAt: new Date() },
  });
  await tx.runMessage.create({
    data: {
      runId: input.runId,
      key: `tool-result-${input.toolCallId}`,
      seq: await nextMessageSeq(tx, input.runId),
      turn: input.call.turn,
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          toolCallId: input.toolCallId,
          toolName: input.call.name,
          output: state === 'completed' ? { type: 'json', value: output } : { type: 'error-json', value: output },
        },
      ] as Prisma.InputJsonValue,
    },
  });
  await appendEvents(tx, input.runId, [
    {
      key: `tool-result-${input.toolCallId}`,
      type: 'tool_result',
      data: {
        turn: input.call.turn,
        tool_call_id: input.toolCallId,
        name: input.call.name,
        state,
        output: output as Prisma.InputJsonValue,
      },
    },
  ]);
  await tx.run.update({ where: { id: input.runId }, data: { updatedAt: new Date() } });
}

/** Executes a tool in an attached environment; an MCP tool's failure is the tool's result, not the activity's. */
async function executeTool(
  deps: Pick<ActivityDeps, 'environments'> & Partial<Pick<ActivityDeps, 'unsealSecrets'>>,
  handle: Awaited<ReturnType<typeof attachOrFail>>,
  call: HostToolCall,
  signal: AbortSignal,
  env?: Record<string, string>,
): Promise<ToolOutcome> {
  const { environments } = deps;
  if (call.source.kind === 'builtin' && call.name === PULL_REQUEST_TOOL_NAME) {
    return pushPullRequestBranch(call.pullRequest, {
      provider: environments,
      handle,
      signal,
      ...(deps.unsealSecrets ? { unsealSecrets: deps.unsealSecrets } : {}),
    });
  }
  if (call.source.kind === 'builtin') {
    return executeBuiltinTool(call.name, call.input, {
      provider: environments,
      handle,
      signal,
      ...(env ? { env } : {}),
    });
  }
  if (call.source.kind !== 'mcp') return { state: 'failed', output: { error: `unknown tool ${call.name}` } };
  if (!call.server) return { state: 'failed', output: { error: `MCP server ${call.source.server} is not configured` } };
  try {
    return await callMcpTool(call.server, call.source.tool, call.input, environments, handle, env);
  } catch (err) {
    return { state: 'failed', output: { error: `MCP tool ${call.source.tool} failed: ${(err as Error).message}` } };
  }
}

/** The platform half of a tool call: loads it for the host, and records what the host returned. */
export function createToolRecordActivities(
  deps: Pick<ActivityDeps, 'db' | 'logger'> & Partial<Pick<ActivityDeps, 'secretKeys'>>,
) {
  const { db } = deps;
  return {
    /** Loads the call (marking it running) or answers the state it already ended in. */
    async loadToolCall(input: { runId: string; toolCallId: string }): Promise<LoadedToolCall> {
      const id = toolCallRowId(input.runId, input.toolCallId);
      const call = await db.toolCall.findUnique({ where: { id } });
      if (!call) throw runNotFound(input.runId);
      if (call.state === 'completed' || call.state === 'failed' || call.state === 'denied') return { done: call.state };
      const run = await db.run.findUnique({
        where: { id: input.runId },
        select: { agentConfig: true, toolDefinitions: true },
      });
      if (!run) throw runNotFound(input.runId);
      const definitions = (run.toolDefinitions ?? []) as unknown as ToolDefinition[];
      const definition = definitions.find((d) => d.name === call.name);
      await db.toolCall.update({ where: { id }, data: { state: 'running', startedAt: call.startedAt ?? new Date() } });
      let server: McpServer | undefined;
      if (definition?.source.kind === 'mcp') {
        const config = ResolvedAgentConfigSchema.partial().parse(run.agentConfig ?? {});
        server = config.mcp_servers?.[definition.source.server];
      }
      const pullRequest =
        definition?.source.kind === 'builtin' && call.name === PULL_REQUEST_TOOL_NAME
          ? await preparePullRequest(deps, input.runId, call.input)
          : undefined;
      return {
        call: {
          name: call.name,
          input: call.input,
          source: definition?.source ?? { kind: 'unknown' },
          ...(server ? { server } : {}),
          ...(pullRequest ? { pullRequest } : {}),
        },
      };
    },

    /** Records the host's result of a tool call; a repeated record (a retry) is a no-op. */
    async recordToolResult(input: {
      runId: string;
      toolCallId: string;
      state: ToolOutcome['state'];
      output: Record<string, unknown>;
    }): Promise<ToolCallResult> {
      const id = toolCallRowId(input.runId, input.toolCallId);
      const call = await db.toolCall.findUnique({
        where: { id },
        select: { turn: true, name: true, input: true, state: true },
      });
      if (!call) throw runNotFound(input.runId);
      let result: ToolOutcome = { state: input.state, output: input.output };
      if (call.name === PULL_REQUEST_TOOL_NAME && call.state !== 'completed' && call.state !== 'failed') {
        // The pushed branch becomes a PR here, where the database and the token are (once: see completePullRequest).
        result = await completePullRequest(deps, input.runId, call.input, result);
      }
      const output = bounded(result.output);
      await db.$transaction((tx) =>
        storeToolResult(tx, { runId: input.runId, toolCallId: input.toolCallId, id, call }, result.state, output),
      );
      return { state: result.state };
    },
  };
}

/** The host half of a tool call: executes it in the run's environment and returns the (bounded) outcome. */
export function createHostToolActivities(deps: Pick<ActivityDeps, 'environments' | 'hostSlots' | 'unsealSecrets'>) {
  return {
    async runToolOnHost(input: {
      runId: string;
      toolCallId: string;
      environment: EnvironmentRef;
      call: HostToolCall;
      sealedSecrets?: string;
    }): Promise<ToolOutcome> {
      deps.hostSlots?.touch(input.runId);
      const env = secretEnvOf(deps, input.sealedSecrets);
      const handle = await attachOrFail(deps, input.environment);
      const outcome = await withHeartbeat((signal) => executeTool(deps, handle, input.call, signal, env));
      return { state: outcome.state, output: bounded(outcome.output, MAX_HOST_OUTPUT_JSON_CHARS) };
    },
  };
}

export function createToolActivities(deps: Pick<ActivityDeps, 'db' | 'environments' | 'logger'>) {
  const { db } = deps;
  return {
    /**
     * Executes one tool call inside the run's environment. A call whose result is recorded is never executed
     * again: a retry returns the stored state. Runs started before host workers lost their database use this;
     * newer ones split it into `loadToolCall` → `runToolOnHost` → `recordToolResult`.
     */
    async runTool(input: { runId: string; toolCallId: string; environment: EnvironmentRef }): Promise<ToolCallResult> {
      const id = toolCallRowId(input.runId, input.toolCallId);
      const call = await db.toolCall.findUnique({ where: { id } });
      if (!call) throw runNotFound(input.runId);
      if (call.state === 'completed' || call.state === 'failed' || call.state === 'denied')
        return { state: call.state };

      const run = await db.run.findUnique({
        where: { id: input.runId },
        select: { agentConfig: true, toolDefinitions: true },
      });
      if (!run) throw runNotFound(input.runId);
      const definitions = (run.toolDefinitions ?? []) as unknown as ToolDefinition[];
      const definition = definitions.find((d) => d.name === call.name);
      await db.toolCall.update({ where: { id }, data: { state: 'running', startedAt: call.startedAt ?? new Date() } });
      const handle = await attachOrFail(deps, input.environment);

      const source = definition?.source ?? { kind: 'unknown' as const };
      let server: McpServer | undefined;
      if (source.kind === 'mcp') {
        const config = ResolvedAgentConfigSchema.partial().parse(run.agentConfig ?? {});
        server = config.mcp_servers?.[source.server];
      }
      const outcome = await withHeartbeat((signal) =>
        executeTool(
          deps,
          handle,
          { name: call.name, input: call.input, source, ...(server ? { server } : {}) },
          signal,
        ),
      );
      const output = bounded(outcome.output);
      await db.$transaction((tx) =>
        storeToolResult(tx, { runId: input.runId, toolCallId: input.toolCallId, id, call }, outcome.state, output),
      );
      return { state: outcome.state };
    },
  };
}
