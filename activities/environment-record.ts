/**
 * Platform-side halves of the environment activities: they read what a host needs from the database and record
 * what a host returned. Host workers never touch the database; the workflow carries data between the two.
 */
import type { Prisma } from '../src/generated/prisma/client';
import { ResolvedAgentConfigSchema, type McpServer } from '../src/domain/agent-config';
import type { ActivityDeps } from './deps';
import { attachmentPath, loadAttachments } from './attachments';
import { environmentSpecOf } from './environment-spec';
import type { EnvironmentSpec } from './environment/provider';
import { appendEvents, runNotFound, type NewRunEvent } from './record';
import { BUILTIN_TOOLS } from './tools/builtin';
import { pullRequestToolsFor } from './tools/pull-request';
import type { ToolDefinition } from './tools/types';

export interface EnvironmentSetup {
  /** The environment row the run asked for (config.environment_id); absent: the host's default. */
  environmentId?: string;
  spec?: EnvironmentSpec;
  /** The request's attachments, written into the workspace once it is ready. */
  attachments: { path: string; data: string }[];
  /** The run's MCP servers, started on the host to list their tools. */
  mcpServers: Record<string, McpServer>;
}

export interface RecordEnvironmentProgressInput {
  runId: string;
  execution: number;
  /** Position of the provisioning step in this execution: with `execution`, the events' idempotency keys. */
  step: number;
  progress: string[];
  droppedLines?: number;
  environmentId?: string;
  snapshot?: { key: string; image: string; reused: boolean };
  /** The environment is ready: its failed-setup mark (if any) is cleared. */
  complete?: boolean;
  /** Setup failed: the environment is marked, so the next run of it is known to fail. */
  setupFailed?: boolean;
}

export function createEnvironmentRecordActivities(
  deps: Pick<ActivityDeps, 'db' | 'logger'> & Partial<Pick<ActivityDeps, 'secretKeys'>>,
) {
  const { db } = deps;
  return {
    /** What the run's host needs to provision its environment. */
    async loadEnvironmentSetup(input: { runId: string }): Promise<EnvironmentSetup> {
      const run = await db.run.findUnique({ where: { id: input.runId }, select: { agentConfig: true } });
      if (!run) throw runNotFound(input.runId);
      const environment = await environmentSpecOf(db, input.runId);
      const config = ResolvedAgentConfigSchema.partial().parse(run.agentConfig ?? {});
      const attachments = await loadAttachments(db, input.runId);
      // Variable sets (resolved into agent_config.vars) go under the environment's own env, which wins.
      const spec =
        environment && config.vars
          ? { ...environment.spec, env: { ...config.vars, ...environment.spec.env } }
          : environment?.spec;
      return {
        ...(environment ? { environmentId: environment.id, spec } : {}),
        attachments: attachments.map((a, i) => ({ path: attachmentPath(a.file_name, i), data: a.data })),
        mcpServers: config.mcp_servers ?? {},
      };
    },

    /** Records what one provisioning step on the host printed, and the environment's outcome. */
    async recordEnvironmentProgress(input: RecordEnvironmentProgressInput): Promise<void> {
      const events: NewRunEvent[] = input.progress.map((message, i) => ({
        key: `env-progress-${input.execution}-${input.step}-${i + 1}`,
        type: 'log',
        data: { source: 'environment', message },
      }));
      if (input.droppedLines) {
        events.push({
          key: `env-progress-${input.execution}-${input.step}-dropped`,
          type: 'log',
          data: { source: 'environment', message: `(${input.droppedLines} earlier line(s) of this step not kept)` },
        });
      }
      if (input.snapshot) {
        // One record per run (the key says so): a retried step reports the same snapshot.
        events.push({
          key: `env-snapshot-${input.runId}`,
          type: 'log',
          data: { source: 'environment', snapshot: { ...input.snapshot } },
        });
      }
      await appendEvents(db, input.runId, events);
      if (input.environmentId && input.setupFailed) {
        await db.environment.updateMany({ where: { id: input.environmentId }, data: { setupFailed: true } });
      } else if (input.environmentId && input.complete) {
        await db.environment.updateMany({
          where: { id: input.environmentId, setupFailed: true },
          data: { setupFailed: false },
        });
      }
    },

    /**
     * Stores the tools offered to the model: the built-ins (with open_pull_request when the run has GitHub
     * credentials) plus those the host listed from the MCP servers.
     */
    async recordToolDefinitions(input: { runId: string; mcpTools: ToolDefinition[] }): Promise<{ count: number }> {
      const tools = [...BUILTIN_TOOLS, ...(await pullRequestToolsFor(deps, input.runId)), ...input.mcpTools];
      await db.run.update({
        where: { id: input.runId },
        data: { toolDefinitions: tools as unknown as Prisma.InputJsonValue },
      });
      return { count: tools.length };
    },
  };
}
