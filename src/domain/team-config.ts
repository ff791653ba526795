/**
 * Central configuration: team settings and the team objects runs refer to by name (rules, saved prompts, MCP
 * servers, variable sets). Boundary schemas for the REST API, the client and the CLI.
 */
import { z } from 'zod';
import { ConfigValueSchema } from './agent-config';
import { EnvironmentVariablesSchema } from './environment';

export const CONFIG_SCOPES = ['Team', 'User'] as const;
export const ConfigScopeSchema = z.enum(CONFIG_SCOPES, { error: 'scope must be "Team" or "User"' });
export type ConfigScope = z.infer<typeof ConfigScopeSchema>;

/** Names of config objects: what runs refer to them by, so they stay simple. */
export const CONFIG_OBJECT_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/;
export const ConfigObjectNameSchema = z
  .string({ error: 'name is required' })
  .regex(
    CONFIG_OBJECT_NAME_PATTERN,
    'name uses letters, digits, ".", "_" and "-" (at most 64, starting with a letter or digit), e.g. "no-force-push"',
  );

const DescriptionSchema = z.string().max(1000, 'description is at most 1000 characters');
const ScopeItemSchema = z.object({ type: ConfigScopeSchema, uid: z.string().optional() });

const timestamps = { created_at: z.string(), updated_at: z.string() };

// ---------------------------------------------------------------------------------------------------------------
// Team settings
// ---------------------------------------------------------------------------------------------------------------

const MODEL_ID = z
  .string()
  .regex(/^[a-z0-9-]+\/.+$/, 'default_model_id must look like "<provider>/<model>", e.g. "openai/gpt-4o"');

export const TeamSettingsSchema = z.object({
  team_id: z.string(),
  default_model_id: z.string().nullable(),
  base_prompt: z.string().nullable(),
  default_environment_id: z.string().nullable(),
  default_worker_host: z.string().nullable(),
  max_turns: z.number().int().nullable(),
  run_timeout_minutes: z.number().int().nullable(),
});
export type TeamSettings = z.infer<typeof TeamSettingsSchema>;

/** `PATCH /team/settings`: only the fields given change; null clears one (back to the platform default). */
export const UpdateTeamSettingsRequestSchema = z
  .strictObject({
    default_model_id: MODEL_ID.nullable().optional(),
    base_prompt: z.string().max(100_000, 'base_prompt is at most 100000 characters').nullable().optional(),
    default_environment_id: z
      .string()
      .min(1, 'default_environment_id must not be empty; send null to clear it')
      .nullable()
      .optional(),
    default_worker_host: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, 'default_worker_host is a host id such as "build-box-1"')
      .nullable()
      .optional(),
    max_turns: z
      .number()
      .int('max_turns is a whole number')
      .min(1)
      .max(500, 'max_turns is 1 to 500')
      .nullable()
      .optional(),
    run_timeout_minutes: z
      .number()
      .int('run_timeout_minutes is a whole number of minutes')
      .min(1)
      .max(24 * 60, 'run_timeout_minutes is 1 to 1440')
      .nullable()
      .optional(),
  })
  .refine((r) => Object.keys(r).length > 0, { message: 'give at least one setting to change', path: [] });
export type UpdateTeamSettingsRequest = z.infer<typeof UpdateTeamSettingsRequestSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------------------

const RuleContentSchema = z
  .string({ error: 'content is required: the text added to the instructions of every run' })
  .trim()
  .min(1, 'content must not be empty')
  .max(20_000, 'content is at most 20000 characters');

export const CreateRuleRequestSchema = z.strictObject({
  name: ConfigObjectNameSchema,
  content: RuleContentSchema,
  /** Only runs in this environment get the rule; absent = every run of the team. */
  environment_id: z.string().min(1).optional(),
  enabled: z.boolean().optional(),
  scope: ConfigScopeSchema.optional(),
});
export type CreateRuleRequest = z.infer<typeof CreateRuleRequestSchema>;

export const UpdateRuleRequestSchema = z
  .strictObject({
    name: ConfigObjectNameSchema.optional(),
    content: RuleContentSchema.optional(),
    environment_id: z.string().min(1).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((r) => Object.keys(r).length > 0, { message: 'give at least one field to change', path: [] });
export type UpdateRuleRequest = z.infer<typeof UpdateRuleRequestSchema>;

export const RuleItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  content: z.string(),
  environment_id: z.string().nullable(),
  enabled: z.boolean(),
  scope: ScopeItemSchema,
  ...timestamps,
});
export type RuleItem = z.infer<typeof RuleItemSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Saved prompts
// ---------------------------------------------------------------------------------------------------------------

export const PARAMETER_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

export const PromptParameterSchema = z.strictObject({
  name: z.string().regex(PARAMETER_NAME_PATTERN, 'parameters[].name uses letters, digits and _, e.g. "file"'),
  description: z.string().max(500).optional(),
  default: z.string().max(10_000).optional(),
  /** Default: true unless a default is given. */
  required: z.boolean().optional(),
});
export type PromptParameter = z.infer<typeof PromptParameterSchema>;

const TemplateSchema = z
  .string({ error: 'template is required: the prompt text with {{parameter}} placeholders' })
  .min(1, 'template must not be empty')
  .max(200_000);

export const CreatePromptRequestSchema = z.strictObject({
  name: ConfigObjectNameSchema,
  description: DescriptionSchema.optional(),
  template: TemplateSchema,
  parameters: z.array(PromptParameterSchema).max(50).optional(),
  scope: ConfigScopeSchema.optional(),
});
export type CreatePromptRequest = z.infer<typeof CreatePromptRequestSchema>;

/** A change to `template` or `parameters` adds a version; `name` and `description` change in place. */
export const UpdatePromptRequestSchema = z
  .strictObject({
    name: ConfigObjectNameSchema.optional(),
    description: DescriptionSchema.nullable().optional(),
    template: TemplateSchema.optional(),
    parameters: z.array(PromptParameterSchema).max(50).optional(),
  })
  .refine((r) => Object.keys(r).length > 0, { message: 'give at least one field to change', path: [] });
export type UpdatePromptRequest = z.infer<typeof UpdatePromptRequestSchema>;

export const PromptVersionSchema = z.object({
  version: z.number().int(),
  template: z.string(),
  parameters: z.array(PromptParameterSchema),
  created_at: z.string(),
});
export type PromptVersion = z.infer<typeof PromptVersionSchema>;

export const PromptItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  latest_version: z.number().int(),
  /** The version shown (the latest unless `?version=` asked for another). */
  version: PromptVersionSchema,
  scope: ScopeItemSchema,
  ...timestamps,
});
export type PromptItem = z.infer<typeof PromptItemSchema>;

// ---------------------------------------------------------------------------------------------------------------
// MCP servers
// ---------------------------------------------------------------------------------------------------------------

export const McpServerSpecSchema = z.union(
  [
    z.strictObject({
      command: z.string().min(1, 'spec.command must not be empty'),
      args: z.array(z.string()).optional(),
      env: z.record(z.string(), ConfigValueSchema).optional(),
    }),
    z.strictObject({
      url: z.url({ message: 'spec.url must be an absolute http(s) URL' }),
      headers: z.record(z.string(), ConfigValueSchema).optional(),
    }),
  ],
  { error: 'spec is {command, args?, env?} (stdio) or {url, headers?}' },
);
export type McpServerSpec = z.infer<typeof McpServerSpecSchema>;

export const CreateMcpServerRequestSchema = z.strictObject({
  name: ConfigObjectNameSchema,
  description: DescriptionSchema.optional(),
  spec: McpServerSpecSchema,
  scope: ConfigScopeSchema.optional(),
});
export type CreateMcpServerRequest = z.infer<typeof CreateMcpServerRequestSchema>;

export const UpdateMcpServerRequestSchema = z
  .strictObject({
    name: ConfigObjectNameSchema.optional(),
    description: DescriptionSchema.nullable().optional(),
    spec: McpServerSpecSchema.optional(),
  })
  .refine((r) => Object.keys(r).length > 0, { message: 'give at least one field to change', path: [] });
export type UpdateMcpServerRequest = z.infer<typeof UpdateMcpServerRequestSchema>;

export const McpServerItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  spec: McpServerSpecSchema,
  scope: ScopeItemSchema,
  ...timestamps,
});
export type McpServerItem = z.infer<typeof McpServerItemSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Variable sets (non-secret)
// ---------------------------------------------------------------------------------------------------------------

export const CreateVarSetRequestSchema = z.strictObject({
  name: ConfigObjectNameSchema,
  description: DescriptionSchema.optional(),
  vars: EnvironmentVariablesSchema,
  scope: ConfigScopeSchema.optional(),
});
export type CreateVarSetRequest = z.infer<typeof CreateVarSetRequestSchema>;

export const UpdateVarSetRequestSchema = z
  .strictObject({
    name: ConfigObjectNameSchema.optional(),
    description: DescriptionSchema.nullable().optional(),
    vars: EnvironmentVariablesSchema.optional(),
  })
  .refine((r) => Object.keys(r).length > 0, { message: 'give at least one field to change', path: [] });
export type UpdateVarSetRequest = z.infer<typeof UpdateVarSetRequestSchema>;

export const VarSetItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  vars: z.record(z.string(), z.string()),
  scope: ScopeItemSchema,
  ...timestamps,
});
export type VarSetItem = z.infer<typeof VarSetItemSchema>;

/** Listing query shared by the config objects: `name` finds one by name. */
export const ListConfigObjectsQuerySchema = z.object({
  name: z.string().min(1).optional(),
  scope: ConfigScopeSchema.optional(),
  environment_id: z.string().min(1).optional(),
});
export type ListConfigObjectsQuery = z.infer<typeof ListConfigObjectsQuerySchema>;

export const DeleteConfigObjectResponseSchema = z.object({ success: z.literal(true) });

/** `PUT /environments/{id}/var-sets` (served with the var sets): the ordered var sets an environment applies. */
export const AttachVarSetsRequestSchema = z.strictObject({
  var_set_ids: z
    .array(z.string().min(1, 'var_set_ids[] are variable set ids (vars_…) or names'))
    .max(20, 'at most 20 variable sets per environment'),
});
export type AttachVarSetsRequest = z.infer<typeof AttachVarSetsRequestSchema>;
export const EnvironmentVarSetsSchema = z.object({
  environment_id: z.string(),
  var_sets: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type EnvironmentVarSets = z.infer<typeof EnvironmentVarSetsSchema>;
