/** Central configuration resources: team settings, rules, saved prompts, MCP server objects and variable sets. */
import { z } from 'zod';
import {
  EnvironmentVarSetsSchema,
  McpServerItemSchema,
  PromptItemSchema,
  RuleItemSchema,
  TeamSettingsSchema,
  VarSetItemSchema,
  type AttachVarSetsRequest,
  type ConfigScope,
  type CreateMcpServerRequest,
  type CreatePromptRequest,
  type CreateRuleRequest,
  type CreateVarSetRequest,
  type EnvironmentVarSets,
  type McpServerItem,
  type PromptItem,
  type RuleItem,
  type TeamSettings,
  type UpdateMcpServerRequest,
  type UpdatePromptRequest,
  type UpdateRuleRequest,
  type UpdateTeamSettingsRequest,
  type UpdateVarSetRequest,
  type VarSetItem,
} from '../domain';
import { AmbitInvalidRequestError } from './errors';
import type { RequestOptions, Transport } from './http';

const DeletedSchema = z.object({ success: z.literal(true) });

/** Filters of the config-object listings. */
export interface ListConfigObjectsParams {
  name?: string;
  scope?: ConfigScope;
  environment_id?: string;
}

function idPath(base: string, id: string, what: string): string {
  if (typeof id !== 'string' || id.length === 0) {
    throw new AmbitInvalidRequestError(
      what,
      new z.ZodError([{ code: 'custom', path: ['id'], message: `${what} is required`, input: id }]),
    );
  }
  return `${base}/${encodeURIComponent(id)}`;
}

function listQuery(params: ListConfigObjectsParams | undefined): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (typeof v === 'string' && v) q.append(k, v);
  return q;
}

export class TeamResource {
  constructor(private readonly transport: Transport) {}

  async getSettings(options?: RequestOptions): Promise<TeamSettings> {
    return await this.transport.request({ method: 'GET', path: '/team/settings' }, TeamSettingsSchema, options);
  }

  /** Changes the settings given; null clears one. Admins only. */
  async updateSettings(request: UpdateTeamSettingsRequest, options?: RequestOptions): Promise<TeamSettings> {
    return await this.transport.request(
      { method: 'PATCH', path: '/team/settings', body: request },
      TeamSettingsSchema,
      options,
    );
  }
}

/** CRUD of one config-object kind under `base`. */
class ConfigObjectResource<Item, Create, Update> {
  constructor(
    protected readonly transport: Transport,
    private readonly base: string,
    private readonly listKey: string,
    private readonly itemSchema: z.ZodType<Item>,
    private readonly what: string,
  ) {}

  /** Not idempotent: a retried creation whose first response was lost answers 409 naming the object it made. */
  async create(request: Create, options?: RequestOptions): Promise<Item> {
    return await this.transport.request({ method: 'POST', path: this.base, body: request }, this.itemSchema, options);
  }

  async list(params?: ListConfigObjectsParams, options?: RequestOptions): Promise<Item[]> {
    const schema = z.object({ [this.listKey]: z.array(this.itemSchema) });
    const page = await this.transport.request(
      { method: 'GET', path: this.base, query: listQuery(params) },
      schema,
      options,
    );
    return page[this.listKey] as Item[];
  }

  async get(id: string, options?: RequestOptions): Promise<Item> {
    return await this.transport.request(
      { method: 'GET', path: idPath(this.base, id, this.what) },
      this.itemSchema,
      options,
    );
  }

  async update(id: string, request: Update, options?: RequestOptions): Promise<Item> {
    return await this.transport.request(
      { method: 'PATCH', path: idPath(this.base, id, this.what), body: request },
      this.itemSchema,
      options,
    );
  }

  async delete(id: string, options?: RequestOptions): Promise<{ success: true }> {
    return await this.transport.request(
      { method: 'DELETE', path: idPath(this.base, id, this.what) },
      DeletedSchema,
      options,
    );
  }
}

export class RulesResource extends ConfigObjectResource<RuleItem, CreateRuleRequest, UpdateRuleRequest> {
  constructor(transport: Transport) {
    super(transport, '/rules', 'rules', RuleItemSchema, 'rule id');
  }
}

export class McpServersResource extends ConfigObjectResource<
  McpServerItem,
  CreateMcpServerRequest,
  UpdateMcpServerRequest
> {
  constructor(transport: Transport) {
    super(transport, '/mcp-servers', 'mcp_servers', McpServerItemSchema, 'MCP server id');
  }
}

export class VarSetsResource extends ConfigObjectResource<VarSetItem, CreateVarSetRequest, UpdateVarSetRequest> {
  constructor(transport: Transport) {
    super(transport, '/vars', 'var_sets', VarSetItemSchema, 'variable set id');
  }

  async forEnvironment(environmentId: string, options?: RequestOptions): Promise<EnvironmentVarSets> {
    return await this.transport.request(
      { method: 'GET', path: `${idPath('/environments', environmentId, 'environment id')}/var-sets` },
      EnvironmentVarSetsSchema,
      options,
    );
  }

  /** Replaces the sets an environment applies (ids or names, in order). */
  async setForEnvironment(
    environmentId: string,
    request: AttachVarSetsRequest,
    options?: RequestOptions,
  ): Promise<EnvironmentVarSets> {
    return await this.transport.request(
      { method: 'PUT', path: `${idPath('/environments', environmentId, 'environment id')}/var-sets`, body: request },
      EnvironmentVarSetsSchema,
      options,
    );
  }
}

export class PromptsResource extends ConfigObjectResource<PromptItem, CreatePromptRequest, UpdatePromptRequest> {
  constructor(transport: Transport) {
    super(transport, '/prompts', 'prompts', PromptItemSchema, 'saved prompt id');
  }

  /** A saved prompt at a given version (default: its latest). */
  async getVersion(id: string, version: number, options?: RequestOptions): Promise<PromptItem> {
    return await this.transport.request(
      {
        method: 'GET',
        path: idPath('/prompts', id, 'saved prompt id'),
        query: new URLSearchParams({ version: String(version) }),
      },
      PromptItemSchema,
      options,
    );
  }
}

/** `GET /agent/connection`: where a local run's ephemeral host worker connects (no credentials). */
export const AgentConnectionSchema = z.object({
  temporal: z.object({
    address: z.string(),
    namespace: z.string(),
    task_queue_prefix: z.string(),
    credentials_required: z.boolean(),
    payload_encryption: z.boolean().optional(),
  }),
  local_host_prefix: z.string(),
});
export type AgentConnection = z.infer<typeof AgentConnectionSchema>;

export class AgentResource {
  constructor(private readonly transport: Transport) {}

  async skills(
    params: { repo?: string; refresh?: boolean } = {},
    options?: RequestOptions,
  ): Promise<AgentSkillsResponse> {
    return await listAgentSkills(this.transport, params, options);
  }

  async connection(options?: RequestOptions): Promise<AgentConnection> {
    return await this.transport.request({ method: 'GET', path: '/agent/connection' }, AgentConnectionSchema, options);
  }
}

export const AgentSkillsResponseSchema = z.object({
  agents: z.array(
    z.object({
      name: z.string(),
      variants: z.array(
        z.looseObject({
          id: z.string(),
          description: z.string(),
          base_prompt: z.string(),
          source: z.object({ owner: z.string(), name: z.string(), skill_path: z.string() }),
          environments: z.array(z.object({ uid: z.string(), name: z.string() })),
          error: z.string().optional(),
        }),
      ),
    }),
  ),
});
export type AgentSkillsResponse = z.infer<typeof AgentSkillsResponseSchema>;

/** Skills (SKILL.md) in the visible environments' repositories: `GET /agent`. */
export async function listAgentSkills(
  transport: Transport,
  params: { repo?: string; refresh?: boolean } = {},
  options?: RequestOptions,
): Promise<AgentSkillsResponse> {
  const query = new URLSearchParams();
  if (params.repo) query.append('repo', params.repo);
  if (params.refresh) query.append('refresh', 'true');
  return await transport.request({ method: 'GET', path: '/agent', query }, AgentSkillsResponseSchema, options);
}
