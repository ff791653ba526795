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
import type { ToolDefinition, ToolOutcome } from './tools/types';

export interface ToolCallResult {
  state: 'completed' | 'failed' | 'denied';
}

/** Keeps stored outputs (and what goes back to the model) bounded. */
const MAX_OUTPUT_JSON_CHARS = 200_000;

function bounded(output: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(output);
  return json.length <= MAX_OUTPUT_JSON_CHARS
    ? output
    : { truncated: true, preview: json.slice(0, MAX_OUTPUT_JSON_CHARS) };
}

export function createToolActivities(deps: Pick<ActivityDeps, 'db' | 'environments' | 'logger'>) {
  const { db, environments } = deps;
  return {
    /**
     * Executes one tool call inside the run's environment. A call whose result is recorded is never executed
     * again: a retry returns the stored state.
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

      const outcome: ToolOutcome = await withHeartbeat(async (signal) => {
        if (!definition) return { state: 'failed', output: { error: `unknown tool ${call.name}` } };
        if (definition.source.kind === 'builtin') {
          return executeBuiltinTool(call.name, call.input, { provider: environments, handle, signal });
        }
        const config = ResolvedAgentConfigSchema.partial().parse(run.agentConfig ?? {});
        const server = config.mcp_servers?.[definition.source.server];
        if (!server)
          return { state: 'failed', output: { error: `MCP server ${definition.source.server} is not configured` } };
        try {
          return await callMcpTool(server, definition.source.tool, call.input, environments, handle);
        } catch (err) {
          return {
            state: 'failed',
            output: { error: `MCP tool ${definition.source.tool} failed: ${(err as Error).message}` },
          };
        }
      });

      const output = bounded(outcome.output);
      await db.$transaction(async (tx) => {
        const current = await tx.toolCall.findUnique({ where: { id }, select: { state: true } });
        if (current?.state === 'completed' || current?.state === 'failed') return;
        await tx.toolCall.update({
          where: { id },
          data: { state: outcome.state, output: output as Prisma.InputJsonValue, completedAt: new Date() },
        });
        await tx.runMessage.create({
          data: {
            runId: input.runId,
            key: `tool-result-${input.toolCallId}`,
            seq: await nextMessageSeq(tx, input.runId),
            turn: call.turn,
            role: 'tool',
            content: [
              {
                type: 'tool-result',
                toolCallId: input.toolCallId,
                toolName: call.name,
                output:
                  outcome.state === 'completed'
                    ? { type: 'json', value: output }
                    : { type: 'error-json', value: output },
              },
            ] as Prisma.InputJsonValue,
          },
        });
        await appendEvents(tx, input.runId, [
          {
            key: `tool-result-${input.toolCallId}`,
            type: 'tool_result',
            data: {
              turn: call.turn,
              tool_call_id: input.toolCallId,
              name: call.name,
              state: outcome.state,
              output: output as Prisma.InputJsonValue,
            },
          },
        ]);
        await tx.run.update({ where: { id: input.runId }, data: { updatedAt: new Date() } });
      });
      return { state: outcome.state };
    },
  };
}
