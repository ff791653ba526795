/**
 * How a run's configuration is put together, as pure functions (the activity `resolveRunConfig` does the I/O).
 *
 * Precedence, highest first: the run request > its schedule or integration > its environment > the team's
 * settings > the platform's defaults. A scalar (model, base prompt, host, limits, environment) comes from the
 * first layer that sets it; MCP servers merge by name (a higher layer's server of the same name replaces a lower
 * one's); variable sets stack (lower layers first, so a higher layer's value of the same variable wins).
 */
import type { PromptParameter } from './team-config';

/**
 * Host ids of the ephemeral host workers `ambit agent run` starts on a user's machine. A run routed to one is a
 * LOCAL run: it works in the user's directory, so no trigger's or team's default environment applies to it.
 */
export const LOCAL_HOST_PREFIX = 'local-';

export function isLocalHost(hostId: string | undefined): boolean {
  return hostId?.startsWith(LOCAL_HOST_PREFIX) === true;
}

export const CONFIG_LAYER_SOURCES = ['request', 'trigger', 'environment', 'team'] as const;
export type ConfigLayerSource = (typeof CONFIG_LAYER_SOURCES)[number];

export const LAYERED_SCALARS = [
  'model_id',
  'base_prompt',
  'environment_id',
  'worker_host',
  'max_turns',
  'run_timeout_minutes',
  'idle_timeout_minutes',
] as const;
export type LayeredScalar = (typeof LAYERED_SCALARS)[number];

export interface LayerConfig {
  model_id?: string;
  base_prompt?: string;
  environment_id?: string;
  worker_host?: string;
  max_turns?: number;
  run_timeout_minutes?: number;
  idle_timeout_minutes?: number;
  /** Servers by the name the run uses (inline specs or `{ref}`s); the value type is the caller's. */
  mcp_servers?: Record<string, unknown>;
  /** Names (or ids) of variable sets, applied in order. */
  var_sets?: string[];
}

export interface ConfigLayer {
  source: ConfigLayerSource;
  config: LayerConfig;
}

export interface LayeredConfig {
  values: Omit<LayerConfig, 'var_sets'> & { var_sets: string[] };
  /** Which layer each scalar and each MCP server came from (what `agent_config.config_sources` records). */
  sources: Partial<Record<LayeredScalar, ConfigLayerSource>> & { mcp_servers?: Record<string, ConfigLayerSource> };
}

const ORDER: Record<ConfigLayerSource, number> = { request: 0, trigger: 1, environment: 2, team: 3 };

/** Merges layers by the documented precedence; the order the layers are given in does not matter. */
export function resolveLayers(layers: readonly ConfigLayer[]): LayeredConfig {
  const sorted = [...layers].sort((a, b) => ORDER[a.source] - ORDER[b.source]);
  const values: LayeredConfig['values'] = { var_sets: [] };
  const sources: LayeredConfig['sources'] = {};
  for (const field of LAYERED_SCALARS) {
    const layer = sorted.find((l) => l.config[field] !== undefined && l.config[field] !== null);
    if (!layer) continue;
    (values as Record<string, unknown>)[field] = layer.config[field];
    sources[field] = layer.source;
  }
  const servers: Record<string, unknown> = {};
  const serverSources: Record<string, ConfigLayerSource> = {};
  for (const layer of [...sorted].reverse()) {
    for (const [name, server] of Object.entries(layer.config.mcp_servers ?? {})) {
      servers[name] = server;
      serverSources[name] = layer.source;
    }
    for (const set of layer.config.var_sets ?? []) {
      if (!values.var_sets.includes(set)) values.var_sets.push(set);
    }
  }
  if (Object.keys(servers).length > 0) {
    values.mcp_servers = servers;
    sources.mcp_servers = serverSources;
  }
  return { values, sources };
}

/** Variables of several sets, in order: a later set's value of the same name wins. */
export function mergeVars(sets: readonly Record<string, string>[]): Record<string, string> {
  return Object.assign({}, ...sets) as Record<string, string>;
}

// ---------------------------------------------------------------------------------------------------------------
// Saved prompt templates
// ---------------------------------------------------------------------------------------------------------------

const PLACEHOLDER = /\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g;

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

/** Placeholder names a template uses, in order of first use. */
export function templatePlaceholders(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) if (!names.includes(m[1]!)) names.push(m[1]!);
  return names;
}

/**
 * Every placeholder must be a declared parameter (checked when a prompt is saved), so a typo in a template is
 * caught then rather than when a run uses it.
 */
export function undeclaredPlaceholders(template: string, parameters: readonly PromptParameter[]): string[] {
  const declared = new Set(parameters.map((p) => p.name));
  return templatePlaceholders(template).filter((n) => !declared.has(n));
}

/**
 * Fills `{{name}}` placeholders. Unknown params, and required params without a value or default, throw a
 * TemplateError naming every one of them.
 */
export function renderTemplate(
  template: string,
  parameters: readonly PromptParameter[],
  params: Readonly<Record<string, string>>,
): string {
  const declared = new Map(parameters.map((p) => [p.name, p]));
  const unknown = Object.keys(params).filter((k) => !declared.has(k));
  const missing = parameters
    .filter((p) => params[p.name] === undefined && p.default === undefined && p.required !== false)
    .map((p) => p.name);
  const problems: string[] = [];
  if (unknown.length > 0) {
    problems.push(
      `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (declared: ${[...declared.keys()].join(', ') || 'none'})`,
    );
  }
  if (missing.length > 0)
    problems.push(`missing required parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (problems.length > 0) throw new TemplateError(problems.join('; '));
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const p = declared.get(name);
    if (!p) return whole;
    return params[name] ?? p.default ?? '';
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Instructions the model receives
// ---------------------------------------------------------------------------------------------------------------

export interface InstructionParts {
  base_prompt?: string;
  rules?: readonly { name: string; content: string }[];
  project_instructions?: readonly { path: string; content: string }[];
}

/**
 * The system instructions of a run: the platform's, then the base prompt, then the team's rules, then the
 * repository's AGENTS.md files (root first). Each part is labelled so the model (and a reviewer) can tell them apart.
 */
export function composeInstructions(platform: string, parts: InstructionParts): string {
  const sections = [platform];
  if (parts.base_prompt) sections.push(parts.base_prompt);
  if (parts.rules && parts.rules.length > 0) {
    sections.push(
      ['# Team rules (always follow these)', ...parts.rules.map((r) => `## ${r.name}\n${r.content.trim()}`)].join(
        '\n\n',
      ),
    );
  }
  if (parts.project_instructions && parts.project_instructions.length > 0) {
    sections.push(
      [
        '# Repository instructions (AGENTS.md)',
        ...parts.project_instructions.map((f) => `## ${f.path}\n${f.content.trim()}`),
      ].join('\n\n'),
    );
  }
  return sections.join('\n\n');
}

export const AGENTS_FILE_NAME = 'AGENTS.md';
/** Folders never searched for AGENTS.md or SKILL.md (dependencies and VCS data, not the project's own). */
export const IGNORED_FOLDERS = new Set(['.git', 'node_modules', 'vendor', '.venv', 'venv', 'dist', 'build', 'target']);
export const PROJECT_INSTRUCTIONS_MAX_FILES = 20;
export const PROJECT_INSTRUCTIONS_MAX_BYTES = 64 * 1024;

/** True for a workspace path that is inside an ignored folder. */
export function isIgnoredPath(relativePath: string): boolean {
  return relativePath.split('/').some((part) => IGNORED_FOLDERS.has(part));
}

/** AGENTS.md paths in the order they are given to the model: the root's first, then by depth, then by name. */
export function orderAgentsFiles(paths: readonly string[]): string[] {
  const depth = (p: string) => p.split('/').length;
  return paths
    .filter((p) => (p === AGENTS_FILE_NAME || p.endsWith(`/${AGENTS_FILE_NAME}`)) && !isIgnoredPath(p))
    .sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, PROJECT_INSTRUCTIONS_MAX_FILES);
}

// ---------------------------------------------------------------------------------------------------------------
// Skills (SKILL.md)
// ---------------------------------------------------------------------------------------------------------------

export interface ParsedSkill {
  name: string;
  description: string;
  instructions: string;
}

/**
 * Parses a SKILL.md: YAML-style front matter with `name` and `description` (single-line values), then the
 * instructions. Throws with the reason when the front matter is missing or incomplete.
 */
export function parseSkillFile(content: string, fallbackName: string): ParsedSkill {
  const text = content.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  if (!match) throw new Error('SKILL.md has no front matter (a block between --- lines with name and description)');
  const fields: Record<string, string> = {};
  for (const line of match[1]!.split('\n')) {
    const kv = /^([a-zA-Z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (kv) fields[kv[1]!] = kv[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  const description = fields['description'];
  if (!description) throw new Error('SKILL.md front matter has no description');
  return { name: fields['name'] || fallbackName, description, instructions: match[2]!.trim() };
}

/** The prompt of a run started from a skill: the skill's instructions, then what the user asked. */
export function skillPrompt(skill: ParsedSkill, userPrompt: string | undefined): string {
  const head = `Use the skill "${skill.name}": ${skill.description}\n\n${skill.instructions}`;
  return userPrompt?.trim() ? `${head}\n\n# Task\n\n${userPrompt}` : head;
}

/** `owner/repo` of a repository URL: GitHub's, or the last two path segments of any other git URL. */
export function repositorySlug(url: string): { owner: string; repo: string } | undefined {
  const m = /([^/:\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m ? { owner: m[1]!, repo: m[2]! } : undefined;
}

/** `owner/repo:path/to/SKILL.md` → its parts; undefined when it is not of that shape. */
export function parseSkillSpec(spec: string): { owner: string; repo: string; path: string } | undefined {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+):(.+)$/.exec(spec.trim());
  if (!m) return undefined;
  const path = m[3]!.replace(/^\/+/, '');
  if (path.split('/').includes('..')) return undefined;
  return { owner: m[1]!, repo: m[2]!, path };
}
