import type { Prisma } from '../src/generated/prisma/client';
import {
  AgentConfigSchema,
  type AgentConfig,
  type McpServer,
  type ResolvedAgentConfig,
} from '../src/domain/agent-config';
import { FailureType, RunErrorCode } from '../src/domain/errors';
import { EnvironmentVariablesSchema } from '../src/domain/environment';
import { DEFAULT_IDLE_TIMEOUT_MINUTES, DEFAULT_MAX_TURNS, DEFAULT_RUN_TIMEOUT_MINUTES } from '../src/domain/limits';
import {
  isLocalHost,
  mergeVars,
  orderAgentsFiles,
  PROJECT_INSTRUCTIONS_MAX_BYTES,
  resolveLayers,
  type ConfigLayer,
  type LayerConfig,
} from '../src/domain/resolution';
import { McpServerSpecSchema } from '../src/domain/team-config';
import { hostTaskQueue } from '../src/config';
import type { Db } from '../src/db/client';
import type { EnvironmentRef, RunPlan } from '../workflows/definitions';
import { attachOrFail } from './environment';
import { describeAttachments, loadAttachments } from './attachments';
import type { ActivityDeps } from './deps';
import { userFailure } from './failures';
import { appendEvents, runNotFound } from './record';

const PLATFORM_HOST_ALIASES = new Set(['warp', 'default']);

function invalidConfig(detail: string) {
  return userFailure(FailureType.InvalidConfig, RunErrorCode.InvalidConfig, detail);
}

/** The run-default keys of a schedule's or integration's stored config; anything malformed is ignored. */
function triggerLayer(json: unknown): LayerConfig {
  const parsed = AgentConfigSchema.partial().safeParse(json ?? {});
  if (!parsed.success) return {};
  return layerOf(parsed.data);
}

function layerOf(config: Partial<AgentConfig>): LayerConfig {
  const out: LayerConfig = {};
  if (config.model_id !== undefined) out.model_id = config.model_id;
  if (config.harness?.model_id !== undefined) out.model_id = config.harness.model_id;
  if (config.base_prompt !== undefined) out.base_prompt = config.base_prompt;
  if (config.environment_id !== undefined) out.environment_id = config.environment_id;
  if (config.worker_host !== undefined) out.worker_host = config.worker_host;
  if (config.max_turns !== undefined) out.max_turns = config.max_turns;
  if (config.run_timeout_minutes !== undefined) out.run_timeout_minutes = config.run_timeout_minutes;
  if (config.idle_timeout_minutes !== undefined) out.idle_timeout_minutes = config.idle_timeout_minutes;
  if (config.mcp_servers !== undefined) out.mcp_servers = config.mcp_servers;
  if (config.var_sets !== undefined) out.var_sets = config.var_sets;
  return out;
}

/** Team objects a run may use: the team's, and the personal ones of the run's creator (which win on a name clash). */
function usableBy(teamId: string, creatorUserId: string | null) {
  const scopes: { scope: string; ownerUserId?: string }[] = [{ scope: 'Team' }];
  if (creatorUserId) scopes.push({ scope: 'User', ownerUserId: creatorUserId });
  return { teamId, OR: scopes };
}

function preferPersonal<T extends { scope: string }>(rows: T[]): T | undefined {
  return rows.find((r) => r.scope === 'User') ?? rows[0];
}

async function expandMcpServers(
  db: Db,
  run: { teamId: string; creatorUserId: string | null },
  servers: Record<string, unknown>,
): Promise<Record<string, McpServer>> {
  const out: Record<string, McpServer> = {};
  for (const [name, raw] of Object.entries(servers)) {
    const server = raw as McpServer;
    if ('warp_id' in server) {
      throw invalidConfig(
        `config.mcp_servers.${name}: warp_id servers exist only on Warp's hosted platform; give {command, args, env}, {url, headers} or {ref}`,
      );
    }
    if (!('ref' in server)) {
      out[name] = server;
      continue;
    }
    const rows = await db.mcpServer.findMany({
      where: { AND: [usableBy(run.teamId, run.creatorUserId), { OR: [{ name: server.ref }, { id: server.ref }] }] },
    });
    const row = preferPersonal(rows);
    if (!row) {
      throw invalidConfig(
        `config.mcp_servers.${name}: no MCP server object named ${JSON.stringify(server.ref)} is visible to the run; list them with GET /api/v1/mcp-servers`,
      );
    }
    const spec = McpServerSpecSchema.safeParse(row.spec);
    if (!spec.success) throw invalidConfig(`MCP server object ${row.name} has an invalid spec; update it`);
    // Secret references stay references: they are resolved only where the server is started.
    out[name] = spec.data;
  }
  return out;
}

async function loadVarSets(
  db: Db,
  run: { teamId: string; creatorUserId: string | null },
  refs: readonly string[],
  what: string,
): Promise<Record<string, string>[]> {
  const out: Record<string, string>[] = [];
  for (const ref of refs) {
    const rows = await db.varSet.findMany({
      where: { AND: [usableBy(run.teamId, run.creatorUserId), { OR: [{ name: ref }, { id: ref }] }] },
    });
    const row = preferPersonal(rows);
    if (!row) {
      throw invalidConfig(
        `${what}: no variable set ${JSON.stringify(ref)} is visible to the run; list them with GET /api/v1/vars`,
      );
    }
    const vars = EnvironmentVariablesSchema.safeParse(row.vars);
    out.push(vars.success ? vars.data : {});
  }
  return out;
}

/** `var_set_ids` of an environment name var sets by id; a deleted one is skipped rather than failing every run. */
async function environmentVarSets(db: Db, teamId: string, ids: readonly string[]): Promise<Record<string, string>[]> {
  if (ids.length === 0) return [];
  const rows = await db.varSet.findMany({ where: { teamId, id: { in: [...ids] } } });
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => {
    const parsed = EnvironmentVariablesSchema.safeParse(byId.get(id)?.vars);
    return parsed.success ? [parsed.data] : [];
  });
}

export function createResolveConfigActivities({
  db,
  models,
  settings,
  environments,
}: Pick<ActivityDeps, 'db' | 'models' | 'settings' | 'environments'>) {
  return {
    /**
     * Resolves the run's config by the precedence in `src/domain/resolution.ts` (request > schedule/integration >
     * environment > team settings > platform defaults), expands MCP server objects and variable sets, collects the
     * rules that apply, records the result on the run as `agent_config`, seeds the transcript with the prompt, and
     * returns the plan the workflow follows.
     */
    async resolveRunConfig(input: { runId: string }): Promise<RunPlan> {
      const run = await db.run.findUnique({
        where: { id: input.runId },
        include: { team: true, trigger: { select: { integrationId: true } } },
      });
      if (!run) throw runNotFound(input.runId);
      const parsed = AgentConfigSchema.safeParse(run.requestConfig ?? {});
      if (!parsed.success) {
        const detail = parsed.error.issues.map((i) => `config.${i.path.join('.')}: ${i.message}`).join('; ');
        throw invalidConfig(detail);
      }
      const request = parsed.data;
      const harnessType = request.harness?.type === 'oz' || !request.harness ? 'ambit' : request.harness.type;

      let trigger: LayerConfig = {};
      if (run.scheduleId) {
        const schedule = await db.schedule.findUnique({ where: { id: run.scheduleId }, select: { agentConfig: true } });
        trigger = triggerLayer(schedule?.agentConfig);
      } else if (run.trigger?.integrationId) {
        const integration = await db.integration.findUnique({
          where: { id: run.trigger.integrationId },
          select: { config: true },
        });
        trigger = triggerLayer(integration?.config);
      }
      const team = run.team;
      const teamLayer: LayerConfig = {
        ...(team.defaultModelId ? { model_id: team.defaultModelId } : {}),
        ...(team.basePrompt ? { base_prompt: team.basePrompt } : {}),
        ...(team.defaultEnvironmentId ? { environment_id: team.defaultEnvironmentId } : {}),
        ...(team.defaultWorkerHost ? { worker_host: team.defaultWorkerHost } : {}),
        ...(team.maxTurns ? { max_turns: team.maxTurns } : {}),
        ...(team.runTimeoutMinutes ? { run_timeout_minutes: team.runTimeoutMinutes } : {}),
      };
      // A local run works in the user's directory: only an environment the request names applies to it.
      if (isLocalHost(request.worker_host)) {
        delete trigger.environment_id;
        delete teamLayer.environment_id;
      }
      // The environment is itself layered (request > trigger > team default); its own layer adds variable sets.
      const environmentId = request.environment_id ?? trigger.environment_id ?? teamLayer.environment_id;
      const environment = environmentId
        ? await db.environment.findFirst({ where: { id: environmentId, teamId: run.teamId } })
        : null;
      if (environmentId && !environment) {
        throw invalidConfig(
          `environment ${environmentId} (from ${request.environment_id ? 'config.environment_id' : trigger.environment_id ? 'the trigger' : "the team's default_environment_id"}) no longer exists; choose another`,
        );
      }
      const layers: ConfigLayer[] = [
        { source: 'request', config: layerOf(request) },
        { source: 'trigger', config: trigger },
        { source: 'team', config: teamLayer },
      ];
      const { values, sources } = resolveLayers(layers);

      const modelId = values.model_id ?? settings.defaultModelId;
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
      const mcpServers = await expandMcpServers(db, run, values.mcp_servers ?? {});
      const envSets = environment ? await environmentVarSets(db, run.teamId, environment.varSetIds) : [];
      const ownSets = await loadVarSets(db, run, values.var_sets, 'config.var_sets');
      const vars = mergeVars([...envSets, ...ownSets]);
      const rules = await db.rule.findMany({
        where: {
          AND: [
            usableBy(run.teamId, run.creatorUserId),
            { enabled: true },
            { OR: [{ environmentId: null }, ...(environment ? [{ environmentId: environment.id }] : [])] },
          ],
        },
        orderBy: [{ environmentId: { sort: 'asc', nulls: 'first' } }, { name: 'asc' }],
        select: { name: true, content: true },
      });

      const requested = values.worker_host;
      const hostId = !requested || PLATFORM_HOST_ALIASES.has(requested) ? settings.defaultHostId : requested;
      const { mcp_servers: _requestServers, ...rest } = request;
      const resolved: ResolvedAgentConfig = {
        ...rest,
        model_id: modelId ?? '',
        ...(values.base_prompt !== undefined ? { base_prompt: values.base_prompt } : {}),
        ...(environment ? { environment_id: environment.id } : {}),
        harness: { type: harnessType, ...(request.harness?.model_id ? { model_id: request.harness.model_id } : {}) },
        max_turns: values.max_turns ?? DEFAULT_MAX_TURNS,
        run_timeout_minutes: values.run_timeout_minutes ?? DEFAULT_RUN_TIMEOUT_MINUTES,
        idle_timeout_minutes: values.idle_timeout_minutes ?? DEFAULT_IDLE_TIMEOUT_MINUTES,
        worker_host: hostId,
        ...(Object.keys(mcpServers).length > 0 ? { mcp_servers: mcpServers } : {}),
        ...(rules.length > 0 ? { rules } : {}),
        ...(Object.keys(vars).length > 0 ? { vars } : {}),
        config_sources: sources,
      };
      // Read before the transaction: on the embedded database a query outside it would wait for it to end.
      const attachments = await loadAttachments(db, run.id);
      await db.$transaction(async (tx) => {
        await tx.run.update({
          where: { id: run.id },
          data: {
            agentConfig: resolved,
            modelId: modelId ?? null,
            // An environment from the trigger or the team default becomes the run's, for provisioning and filters.
            environmentId: environment?.id ?? null,
            updatedAt: new Date(),
          },
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

    /**
     * Host side: the repository's AGENTS.md files in the provisioned workspace (root first, then subfolders), capped
     * in number and size. Touches only the environment, so any host worker can run it.
     */
    async readProjectInstructions(input: {
      runId: string;
      environment: EnvironmentRef;
    }): Promise<{ path: string; content: string }[]> {
      const handle = await attachOrFail({ environments }, input.environment);
      const entries = await environments.listFiles(handle, '.', { recursive: true, limit: 5000 });
      const paths = orderAgentsFiles(entries.filter((e) => e.type === 'file').map((e) => e.path.replace(/^\.\//, '')));
      const files: { path: string; content: string }[] = [];
      let budget = PROJECT_INSTRUCTIONS_MAX_BYTES;
      for (const path of paths) {
        if (budget <= 0) break;
        const content = (await environments.readFile(handle, path)).toString('utf8').slice(0, budget);
        budget -= Buffer.byteLength(content, 'utf8');
        if (content.trim()) files.push({ path, content });
      }
      return files;
    },

    /** Platform side: adds the AGENTS.md files to the run's resolved config, which the model's instructions use. */
    async recordProjectInstructions(input: {
      runId: string;
      files: { path: string; content: string }[];
    }): Promise<void> {
      const run = await db.run.findUnique({ where: { id: input.runId }, select: { agentConfig: true } });
      if (!run) throw runNotFound(input.runId);
      const current = (run.agentConfig ?? {}) as Prisma.InputJsonObject;
      await db.run.update({
        where: { id: input.runId },
        data: { agentConfig: { ...current, project_instructions: input.files } },
      });
    },
  };
}
