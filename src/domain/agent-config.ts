import { z } from 'zod';
import { ApprovalPolicySchema } from './approvals';

/** A value in an MCP server's env or headers: literal, or the name of a team secret resolved where it is used. */
export const SecretRefSchema = z.strictObject({
  secret: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'secret names use letters, digits and _, e.g. GITHUB_TOKEN'),
});
export const ConfigValueSchema = z.union([z.string(), SecretRefSchema], {
  error: 'each value is a string or {"secret": "NAME"}',
});
export type ConfigValue = z.infer<typeof ConfigValueSchema>;

/** `config.saved_prompt` of a run request: rendered at creation; the run records the version used. */
export const SavedPromptRefSchema = z.strictObject({
  name: z.string().min(1, 'config.saved_prompt.name names a saved prompt (see GET /api/v1/prompts)'),
  version: z.number().int().min(1).optional(),
  params: z.record(z.string(), z.string({ error: 'saved_prompt params are strings' })).optional(),
  /** Set by the platform when it renders the prompt: the saved prompt's id. */
  id: z.string().optional(),
});
export type SavedPromptRef = z.infer<typeof SavedPromptRefSchema>;

/**
 * An MCP server: exactly one of a stdio command, a URL, a platform-registered id, or (Ambit) `{ref}` naming a team
 * MCP server object (`/api/v1/mcp-servers`), expanded when the run's config is resolved. Env and header values are
 * strings or `{"secret": "NAME"}`, resolved from the secrets store only where the server is started.
 */
export const McpStdioServerSchema = z.strictObject({
  command: z.string().min(1, 'command must not be empty'),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), ConfigValueSchema).optional(),
});
export const McpUrlServerSchema = z.strictObject({
  url: z.url({ message: 'url must be an absolute http(s) URL' }),
  headers: z.record(z.string(), ConfigValueSchema).optional(),
});
export const McpWarpIdServerSchema = z.strictObject({ warp_id: z.string().min(1) });
export const McpRefServerSchema = z.strictObject({
  ref: z.string().min(1, 'ref names an MCP server object (see GET /api/v1/mcp-servers)'),
});
export const McpServerSchema = z.union(
  [McpStdioServerSchema, McpUrlServerSchema, McpWarpIdServerSchema, McpRefServerSchema],
  {
    error: 'each MCP server needs exactly one of {command, args?, env?}, {url, headers?}, {ref} or {warp_id}',
  },
);
export type McpServer = z.infer<typeof McpServerSchema>;

export const HARNESS_TYPES = ['ambit', 'oz', 'claude', 'codex', 'gemini'] as const;
export type HarnessType = (typeof HARNESS_TYPES)[number];
export const HarnessSchema = z.object({
  type: z.enum(HARNESS_TYPES),
  model_id: z.string().min(1).optional(),
});

const MODEL_ID_PATTERN = /^[a-z0-9-]+\/.+$/;

export const AgentConfigSchema = z.object({
  name: z.string().min(1).max(200).optional(),
  model_id: z
    .string()
    .regex(MODEL_ID_PATTERN, 'model_id must look like "<provider>/<model>", e.g. "openai/gpt-4o"')
    .optional(),
  base_prompt: z.string().max(100_000).optional(),
  environment_id: z.string().min(1).optional(),
  mcp_servers: z
    .record(z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'MCP server names use [a-zA-Z0-9_-]'), McpServerSchema)
    .optional(),
  idle_timeout_minutes: z.number().int().min(1).max(60).optional(),
  worker_host: z.string().min(1).optional(),
  harness: HarnessSchema.optional(),
  computer_use_enabled: z.boolean().optional(),
  skill_spec: z.string().min(1).optional(),
  /** Ambit: turn and time limits (team defaults apply when absent). */
  max_turns: z.number().int().min(1).max(500).optional(),
  run_timeout_minutes: z
    .number()
    .min(0.1, 'run_timeout_minutes is at least 0.1 (6 seconds)')
    .max(24 * 60)
    .optional(),
  /** Ambit: tool calls that wait for a human's approval before they run. */
  approvals: ApprovalPolicySchema.optional(),
  /** Ambit: a saved prompt rendered into the run's prompt at creation; the run records the version it used. */
  saved_prompt: SavedPromptRefSchema.optional(),
  /** Ambit: variable sets (names or ids) applied to the run's environment, after the environment's own. */
  var_sets: z.array(z.string().min(1)).max(20, 'at most 20 variable sets').optional(),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** The config a run actually used, recorded on the run (secrets by name only). */
export const ResolvedAgentConfigSchema = AgentConfigSchema.extend({
  model_id: z.string(),
  harness: HarnessSchema,
  max_turns: z.number().int(),
  run_timeout_minutes: z.number(),
  idle_timeout_minutes: z.number().int(),
  /** The team's rules that applied (team-wide and the environment's), in the order the model reads them. */
  rules: z.array(z.object({ name: z.string(), content: z.string() })).optional(),
  /** The repository's AGENTS.md files found in the workspace after provisioning (root first). */
  project_instructions: z.array(z.object({ path: z.string(), content: z.string() })).optional(),
  /** Non-secret variables from the variable sets (the environment's, then the run's). */
  vars: z.record(z.string(), z.string()).optional(),
  /** Which layer (request, trigger, environment, team) each setting came from. */
  config_sources: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])).optional(),
});
export type ResolvedAgentConfig = z.infer<typeof ResolvedAgentConfigSchema>;
