import type { Prisma } from '../src/generated/prisma/client';
import { ResolvedAgentConfigSchema } from '../src/domain/agent-config';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import type { EnvironmentRef } from '../workflows/definitions';
import { Context } from '@temporalio/activity';
import { attachmentPath, loadAttachments } from './attachments';
import { environmentSpecOf } from './environment-spec';
import { EnvironmentSetupError } from './environment/provider';
import { NoContainerEngineError } from './environment/routing-provider';
import type { ActivityDeps } from './deps';
import type { EnvironmentHandle } from './environment/provider';
import { userFailure } from './failures';
import { withHeartbeat } from './heartbeat';
import { appendEvents, runNotFound } from './record';
import { BUILTIN_TOOLS } from './tools/builtin';
import { listMcpTools, McpConfigError } from './tools/mcp';
import type { ToolDefinition } from './tools/types';

export async function attachOrFail(
  deps: Pick<ActivityDeps, 'environments'>,
  ref: EnvironmentRef,
): Promise<EnvironmentHandle> {
  const handle = await deps.environments.attach(ref);
  // A vanished environment is a platform fault (host wiped, wrong host): retrying elsewhere will not bring it back.
  if (!handle) throw new Error(`environment ${ref.provider}/${ref.id} is gone from this host`);
  return handle;
}

export function createEnvironmentActivities(deps: Pick<ActivityDeps, 'db' | 'environments' | 'logger' | 'hostSlots'>) {
  const { db, environments } = deps;
  return {
    /** Provisions the run's environment on this host. Idempotent: a retry finds the same environment. */
    async prepareEnvironment(input: { runId: string }): Promise<EnvironmentRef> {
      const environment = await environmentSpecOf(db, input.runId);
      // Progress lines are keyed by attempt too, so a retried provisioning keeps its own lines.
      const attempt = Context.current().info.attempt;
      let progress = 0;
      let handle;
      try {
        handle = await withHeartbeat((signal) =>
          environments.prepare({
            runId: input.runId,
            spec: environment?.spec,
            signal,
            onProgress: (message) => {
              progress += 1;
              void appendEvents(db, input.runId, [
                { key: `env-progress-${attempt}-${progress}`, type: 'log', data: { source: 'environment', message } },
              ]).catch((err: unknown) =>
                deps.logger.warn({ err, runId: input.runId }, 'could not record environment progress'),
              );
            },
          }),
        );
      } catch (err) {
        if (err instanceof EnvironmentSetupError) {
          if (environment)
            await db.environment.updateMany({ where: { id: environment.id }, data: { setupFailed: true } });
          throw userFailure(FailureType.EnvironmentSetupFailed, RunErrorCode.EnvironmentSetupFailed, err.message);
        }
        if (err instanceof NoContainerEngineError) {
          throw userFailure(FailureType.InvalidConfig, RunErrorCode.InvalidConfig, err.message);
        }
        throw err;
      }
      if (handle.snapshot) {
        // One record per run (the key says so): a retried prepare reports the same snapshot.
        await appendEvents(db, input.runId, [
          {
            key: `env-snapshot-${input.runId}`,
            type: 'log',
            data: { source: 'environment', snapshot: { ...handle.snapshot } },
          },
        ]);
      }
      if (environment)
        await db.environment.updateMany({
          where: { id: environment.id, setupFailed: true },
          data: { setupFailed: false },
        });
      // The request's attachments become files the agent can open; rewriting them on a retry is harmless.
      const attachments = await loadAttachments(db, input.runId);
      for (const [i, a] of attachments.entries()) {
        await environments.writeFile(handle, attachmentPath(a.file_name, i), Buffer.from(a.data, 'base64'));
      }
      return { provider: handle.provider, id: handle.id };
    },

    /** Lists the tools offered to the model: built-ins plus those of the run's MCP servers, started in the environment. */
    async discoverTools(input: { runId: string; environment: EnvironmentRef }): Promise<{ count: number }> {
      const run = await db.run.findUnique({ where: { id: input.runId }, select: { agentConfig: true } });
      if (!run) throw runNotFound(input.runId);
      const config = ResolvedAgentConfigSchema.partial().parse(run.agentConfig ?? {});
      const handle = await attachOrFail(deps, input.environment);
      let mcpTools: ToolDefinition[] = [];
      try {
        mcpTools = await withHeartbeat(() => listMcpTools(config.mcp_servers ?? {}, environments, handle));
      } catch (err) {
        if (err instanceof McpConfigError)
          throw userFailure(FailureType.InvalidConfig, RunErrorCode.InvalidConfig, err.message);
        throw err;
      }
      const tools = [...BUILTIN_TOOLS, ...mcpTools];
      await db.run.update({
        where: { id: input.runId },
        data: { toolDefinitions: tools as unknown as Prisma.InputJsonValue },
      });
      return { count: tools.length };
    },

    /** Removes the environment in every outcome. Succeeds when it is already gone. */
    async cleanupEnvironment(input: { runId: string; environment: EnvironmentRef }): Promise<void> {
      await withHeartbeat(() => environments.destroy(input.environment));
      // The run's slot on this host frees up only once its environment is gone.
      deps.hostSlots?.release(input.runId);
    },
  };
}
