/**
 * Environments: the image, repositories, setup commands and variables a run's agent works in. Request and response
 * shapes of `/api/v1/environments` and the Oz-compatible `GET /agent/environments` listing, and the pure parsers of
 * image references and git URLs they validate with. Pure: workflows and activities may import this.
 */
import { z } from 'zod';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, PageInfoSchema, RunCreatorSchema, ScopeSchema } from './agent-api';

export const ENVIRONMENT_SCOPES = ['Team', 'User'] as const;
export type EnvironmentScope = (typeof ENVIRONMENT_SCOPES)[number];

export const ENVIRONMENT_NAME_MAX_LENGTH = 100;
export const ENVIRONMENT_DESCRIPTION_MAX_LENGTH = 240;
export const MAX_ENVIRONMENT_REPOSITORIES = 50;
export const MAX_SETUP_COMMANDS = 100;
export const SETUP_COMMAND_MAX_LENGTH = 10_000;
export const MAX_ENVIRONMENT_VARIABLES = 200;
export const ENVIRONMENT_VARIABLE_MAX_BYTES = 32 * 1024;
/** The distribution spec's limit on an image name (registry and path, without tag or digest). */
export const IMAGE_NAME_MAX_LENGTH = 255;

export const ENVIRONMENT_ID_PATTERN = /^env_[0-9a-f]{24}$/;
export const ENV_VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

// ---------------------------------------------------------------------------------------------------------------
// Image references, after the distribution reference grammar (github.com/distribution/reference):
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component [ "/" path-component ]*
// A first component is a registry when it has a "." or ":" or is "localhost" (as the Docker CLI decides); path
// components are lowercase.

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_PATTERN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`,
);
const PATH_COMPONENT_PATTERN = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_PATTERN = /^[\w][\w.-]{0,127}$/;
const DIGEST_PATTERN = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const SHA256_DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export interface ImageReference {
  /** Registry host (and port), absent for Docker Hub. */
  domain?: string;
  /** Repository path, e.g. `library/ubuntu` or `ubuntu`. */
  path: string;
  tag?: string;
  digest?: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses a Docker image reference, or says what is wrong with it and how to write it. */
export function parseImageReference(input: string): ParseResult<ImageReference> {
  const fail = (reason: string): ParseResult<ImageReference> => ({ ok: false, reason });
  if (input.trim() === '') return fail('must not be empty; give an image such as ubuntu:24.04');
  if (/\s/.test(input)) return fail('must not contain spaces; give one image such as ubuntu:24.04');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (digest.startsWith('sha256:') ? !SHA256_DIGEST_PATTERN.test(digest) : !DIGEST_PATTERN.test(digest)) {
      return fail(`digest "${digest}" is malformed; write @sha256: followed by 64 lowercase hex characters`);
    }
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_PATTERN.test(tag)) {
      return fail(
        `tag "${tag}" is invalid; a tag is 1 to 128 letters, digits, "_", "." or "-" and does not start with "." or "-"`,
      );
    }
  }
  if (rest === '') return fail('has no repository name; give an image such as ubuntu:24.04');
  if (rest.length > IMAGE_NAME_MAX_LENGTH) {
    return fail(`name is ${rest.length} characters long; at most ${IMAGE_NAME_MAX_LENGTH}`);
  }

  let domain: string | undefined;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    // Docker reads "Acme/tool" as registry "Acme"; far more often it is a mistyped repository name.
    if (first !== first.toLowerCase() && !/[.:]/.test(first)) {
      return fail(`repository names must be lowercase: write "${first.toLowerCase()}" instead of "${first}"`);
    }
    if (/[.:]/.test(first) || first === 'localhost') {
      domain = first;
      rest = rest.slice(slash + 1);
      if (!DOMAIN_PATTERN.test(domain)) {
        return fail(`registry "${domain}" is not a valid host[:port]; e.g. registry.example.com:5000/team/image:tag`);
      }
    }
  }
  for (const component of rest.split('/')) {
    if (PATH_COMPONENT_PATTERN.test(component)) continue;
    if (component !== component.toLowerCase() && PATH_COMPONENT_PATTERN.test(component.toLowerCase())) {
      return fail(`repository names must be lowercase: write "${component.toLowerCase()}" instead of "${component}"`);
    }
    return fail(
      component === ''
        ? 'has an empty path component ("//" or a trailing "/"); e.g. ghcr.io/owner/image:tag'
        : `path component "${component}" may use only lowercase letters, digits and single separators ` +
            '(".", "_", "__" or dashes) between them',
    );
  }
  return {
    ok: true,
    value: {
      ...(domain !== undefined ? { domain } : {}),
      path: rest,
      ...(tag !== undefined ? { tag } : {}),
      ...(digest !== undefined ? { digest } : {}),
    },
  };
}

export const DockerImageSchema = z
  .string({ error: 'docker_image must be a string, e.g. "ubuntu:24.04"' })
  .superRefine((value, ctx) => {
    const parsed = parseImageReference(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .meta({
    description: 'Docker image reference: [registry[:port]/]path[:tag][@sha256:digest], e.g. "node:22-bookworm"',
    example: 'ghcr.io/acme/builder:1.4@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  });

// ---------------------------------------------------------------------------------------------------------------
// Repositories: `owner/repo` (GitHub) or any git URL: https, ssh://, scp-like `user@host:path`, git://, file://.

const GITHUB_OWNER = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?';
const GITHUB_REPO = '[A-Za-z0-9._-]+';
const SHORTHAND_PATTERN = new RegExp(`^(${GITHUB_OWNER})/(${GITHUB_REPO})$`);
const SCHEME_URL_PATTERN =
  /^(https?|ssh|git):\/\/(?:([^@/\s]+)@)?([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?\/(\S+)$/;
const SCP_PATTERN = /^[A-Za-z0-9._-]+@([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(?!\/\/)(\S+)$/;
const FILE_URL_PATTERN = /^file:\/\/\/\S+$/;

export const GIT_URL_HINT =
  'give owner/repo for GitHub or a git URL (https://host/path.git, ssh://git@host/path.git, git@host:path.git, ' +
  'file:///path/to/repo)';

/** The clone URL for a repository as written by a user: `owner/repo` becomes its https://github.com URL. */
export function normalizeGitUrl(input: string): ParseResult<string> {
  const url = input.trim();
  if (url === '') return { ok: false, reason: `must not be empty; ${GIT_URL_HINT}` };
  if (/\s/.test(url)) return { ok: false, reason: `must not contain spaces; ${GIT_URL_HINT}` };
  const short = SHORTHAND_PATTERN.exec(url);
  if (short) {
    const repo = short[2]!.replace(/\.git$/, '');
    if (repo === '' || repo === '.' || repo === '..') return { ok: false, reason: `"${url}" names no repository` };
    return { ok: true, value: `https://github.com/${short[1]}/${repo}.git` };
  }
  const scheme = SCHEME_URL_PATTERN.exec(url);
  if (scheme) {
    const [, protocol, userinfo, , port] = scheme;
    if (userinfo !== undefined && (protocol === 'http' || protocol === 'https' || userinfo.includes(':'))) {
      return {
        ok: false,
        reason: 'must not embed credentials; store the token as a secret and give the URL without user or password',
      };
    }
    if (port !== undefined && Number(port) > 65535) return { ok: false, reason: `port ${port} is out of range` };
    return { ok: true, value: url };
  }
  if (SCP_PATTERN.test(url) || FILE_URL_PATTERN.test(url)) return { ok: true, value: url };
  return { ok: false, reason: `"${url}" is not a repository; ${GIT_URL_HINT}` };
}

const GITHUB_URL_PATTERNS = [
  /^https?:\/\/(?:www\.)?github\.com\/([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/,
  /^ssh:\/\/git@github\.com(?::\d+)?\/([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/,
  /^git@github\.com:([^/\s]+)\/([^/\s]+?)(?:\.git)?$/,
];

/** `{owner, repo}` when a clone URL points at github.com (what the Oz listing reports), else undefined. */
export function githubRepoOf(url: string): { owner: string; repo: string } | undefined {
  for (const pattern of GITHUB_URL_PATTERNS) {
    const m = pattern.exec(url);
    if (m) return { owner: m[1]!, repo: m[2]! };
  }
  return undefined;
}

/** A branch, tag or commit as git accepts it (the rules of `git check-ref-format`, plus commit ids). */
export function isValidGitRef(ref: string): boolean {
  return (
    ref.length > 0 &&
    ref.length <= 255 &&
    // eslint-disable-next-line no-control-regex
    !/[\s~^:?*[\\\x00-\x1f\x7f]/.test(ref) &&
    !ref.includes('..') &&
    !ref.includes('@{') &&
    !ref.includes('//') &&
    !/^[-/.]/.test(ref) &&
    !/[/.]$/.test(ref) &&
    !ref.endsWith('.lock') &&
    ref !== '@'
  );
}

const GitUrlSchema = z
  .string({ error: `url must be a string; ${GIT_URL_HINT}` })
  .superRefine((value, ctx) => {
    const parsed = normalizeGitUrl(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason });
  })
  .meta({ description: 'owner/repo (GitHub) or a git URL', example: 'acme/api' });

const GitRefSchema = z
  .string({ error: 'ref must be a string, e.g. "main"' })
  .refine(isValidGitRef, 'ref must be a branch, tag or commit as git accepts it, e.g. "main", "v1.2.0" or a SHA')
  .meta({ description: 'Branch, tag or commit to check out (default: the remote HEAD)', example: 'main' });

export const RepositorySchema = z.object({ url: GitUrlSchema, ref: GitRefSchema.optional() });
/** In requests a repository may also be the bare URL or `owner/repo` string. */
export const RepositoryInputSchema = z.union([GitUrlSchema, RepositorySchema], {
  error: `each repository is "owner/repo", a git URL, or {"url": ..., "ref"?: ...}; ${GIT_URL_HINT}`,
});
export type RepositoryInput = z.infer<typeof RepositoryInputSchema>;
export type Repository = z.infer<typeof RepositorySchema>;

/** The stored form of a repository: the clone URL normalized, the ref kept when given. */
export function normalizeRepository(input: RepositoryInput): Repository {
  const { url, ref } = typeof input === 'string' ? { url: input, ref: undefined } : input;
  const parsed = normalizeGitUrl(url);
  // Inputs reach here only after RepositoryInputSchema accepted them; a failure is a caller's bug.
  if (!parsed.ok) throw new Error(`normalizeRepository: ${parsed.reason}`);
  return { url: parsed.value, ...(ref !== undefined ? { ref } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Fields.

export const EnvironmentNameSchema = z
  .string({ error: 'name must be a string, e.g. "node-22"' })
  .min(1, 'name must not be empty, e.g. "node-22"')
  .max(ENVIRONMENT_NAME_MAX_LENGTH, `name is at most ${ENVIRONMENT_NAME_MAX_LENGTH} characters`)
  .refine((n) => n.trim() === n, 'name must not start or end with spaces')
  // eslint-disable-next-line no-control-regex
  .refine((n) => !/[\x00-\x1f\x7f]/.test(n), 'name must not contain control characters')
  .refine((n) => !ENVIRONMENT_ID_PATTERN.test(n), 'name must not look like an environment id (env_ + 24 hex digits)')
  .meta({ description: 'Unique among the team environments, or among one user’s personal environments' });

export const EnvironmentDescriptionSchema = z
  .string({ error: 'description must be a string' })
  .max(
    ENVIRONMENT_DESCRIPTION_MAX_LENGTH,
    `description is at most ${ENVIRONMENT_DESCRIPTION_MAX_LENGTH} characters; shorten it`,
  );

export const SetupCommandsSchema = z
  .array(
    z
      .string({ error: 'each setup command must be a string' })
      .refine((c) => c.trim() !== '', 'setup commands must not be empty; remove the empty entry')
      .refine(
        (c) => c.length <= SETUP_COMMAND_MAX_LENGTH,
        `a setup command is at most ${SETUP_COMMAND_MAX_LENGTH} characters; move long scripts into the repository`,
      ),
    { error: 'setup_commands must be an array of shell commands, run in order' },
  )
  .max(MAX_SETUP_COMMANDS, `at most ${MAX_SETUP_COMMANDS} setup commands; combine them with && or a script`)
  .meta({ description: 'Shell commands run in order in the workspace; the first failure fails the run' });

export const EnvironmentVariablesSchema = z
  .record(
    z
      .string()
      .regex(
        ENV_VAR_NAME_PATTERN,
        'env names must match [A-Za-z_][A-Za-z0-9_]* (letters, digits and _, not starting with a digit), e.g. NODE_ENV',
      ),
    z
      .string({ error: 'env values must be strings; quote numbers and booleans' })
      .refine(
        (v) => Buffer.byteLength(v, 'utf8') <= ENVIRONMENT_VARIABLE_MAX_BYTES,
        `env values are at most ${ENVIRONMENT_VARIABLE_MAX_BYTES} bytes`,
      ),
    { error: 'env must be an object of NAME: "value" pairs' },
  )
  .refine(
    (m) => Object.keys(m).length <= MAX_ENVIRONMENT_VARIABLES,
    `env has at most ${MAX_ENVIRONMENT_VARIABLES} variables`,
  )
  .meta({
    description:
      'Non-secret variables, names matching [A-Za-z_][A-Za-z0-9_]*; keep tokens in secrets, which are never stored here',
  });

const RepositoriesInputSchema = z
  .array(RepositoryInputSchema, { error: 'repositories must be an array' })
  .max(MAX_ENVIRONMENT_REPOSITORIES, `at most ${MAX_ENVIRONMENT_REPOSITORIES} repositories`)
  .meta({ description: 'Cloned in order into the workspace: "owner/repo", a git URL, or {url, ref?}' });

export const EnvironmentScopeSchema = z.enum(ENVIRONMENT_SCOPES, {
  error: 'scope must be "Team" (shared with the team) or "User" (personal)',
});

// ---------------------------------------------------------------------------------------------------------------
// Requests.

export const CreateEnvironmentRequestSchema = z.object({
  name: EnvironmentNameSchema,
  description: EnvironmentDescriptionSchema.optional(),
  docker_image: DockerImageSchema,
  repositories: RepositoriesInputSchema.optional(),
  setup_commands: SetupCommandsSchema.optional(),
  env: EnvironmentVariablesSchema.optional(),
  scope: EnvironmentScopeSchema.optional().meta({
    description: 'Team (default): visible to the team. User: visible to you and the team admins',
  }),
});
export type CreateEnvironmentRequest = z.infer<typeof CreateEnvironmentRequestSchema>;

/** PUT: the whole environment; optional fields left out are cleared. The scope cannot change. */
export const ReplaceEnvironmentRequestSchema = CreateEnvironmentRequestSchema;
export type ReplaceEnvironmentRequest = CreateEnvironmentRequest;

export const PATCHABLE_ENVIRONMENT_FIELDS = [
  'name',
  'description',
  'docker_image',
  'repositories',
  'setup_commands',
  'env',
] as const;

/** PATCH: only the fields given change; lists and `env` are replaced whole; `description: null` clears it. */
export const UpdateEnvironmentRequestSchema = z
  .object({
    name: EnvironmentNameSchema.optional(),
    description: EnvironmentDescriptionSchema.nullable().optional(),
    docker_image: DockerImageSchema.optional(),
    repositories: RepositoriesInputSchema.optional(),
    setup_commands: SetupCommandsSchema.optional(),
    env: EnvironmentVariablesSchema.optional(),
  })
  .refine((r) => PATCHABLE_ENVIRONMENT_FIELDS.some((f) => r[f] !== undefined), {
    message: `send at least one of ${PATCHABLE_ENVIRONMENT_FIELDS.join(', ')}`,
  });
export type UpdateEnvironmentRequest = z.infer<typeof UpdateEnvironmentRequestSchema>;

export const ENVIRONMENT_SORT_FIELDS = ['updated_at', 'name'] as const;
export type EnvironmentSortField = (typeof ENVIRONMENT_SORT_FIELDS)[number];

export const ListEnvironmentsQuerySchema = z.object({
  limit: z.coerce
    .number({ error: `must be an integer from 1 to ${MAX_LIST_LIMIT}` })
    .int(`must be an integer from 1 to ${MAX_LIST_LIMIT}`)
    .min(1, `must be an integer from 1 to ${MAX_LIST_LIMIT}`)
    .max(MAX_LIST_LIMIT, `must be an integer from 1 to ${MAX_LIST_LIMIT}`)
    .default(DEFAULT_LIST_LIMIT),
  cursor: z.string().min(1).optional(),
  sort_by: z
    .enum(ENVIRONMENT_SORT_FIELDS, { error: `must be one of ${ENVIRONMENT_SORT_FIELDS.join(', ')}` })
    .default('updated_at'),
  sort_order: z
    .enum(['asc', 'desc'], { error: 'must be asc or desc' })
    .optional()
    .meta({ description: 'Default: desc for updated_at, asc for name' }),
  name: z.string().min(1).optional().meta({ description: 'Exact environment name' }),
  scope: EnvironmentScopeSchema.optional(),
});
export type ListEnvironmentsQuery = z.infer<typeof ListEnvironmentsQuerySchema>;

export const DeleteEnvironmentQuerySchema = z.object({
  force: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .optional()
    .meta({ description: 'Delete even while runs that have not ended use the environment' }),
});

export const AGENT_ENVIRONMENT_SORT_FIELDS = ['name', 'last_updated'] as const;
export const ListAgentEnvironmentsQuerySchema = z.object({
  sort_by: z
    .enum(AGENT_ENVIRONMENT_SORT_FIELDS, { error: 'must be name or last_updated' })
    .default('last_updated')
    .meta({ description: 'name: alphabetical; last_updated: most recently updated first (default)' }),
});
export type ListAgentEnvironmentsQuery = z.infer<typeof ListAgentEnvironmentsQuerySchema>;

// ---------------------------------------------------------------------------------------------------------------
// Responses.

const Timestamp = z.string().meta({ format: 'date-time', description: 'RFC 3339, UTC' });

export const EnvironmentItemSchema = z.object({
  id: z.string().meta({ example: 'env_5f1c0a9e2b7d4c3a8e6f1b2d' }),
  name: z.string(),
  description: z.string().optional(),
  docker_image: z.string(),
  repositories: z.array(RepositorySchema),
  setup_commands: z.array(z.string()),
  env: z.record(z.string(), z.string()),
  scope: ScopeSchema,
  setup_failed: z.boolean().meta({ description: 'True when the most recent run failed during setup' }),
  creator: RunCreatorSchema.optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type EnvironmentItem = z.infer<typeof EnvironmentItemSchema>;

export const ListEnvironmentsResponseSchema = z.object({
  environments: z.array(EnvironmentItemSchema),
  page_info: PageInfoSchema,
});
export type ListEnvironmentsResponse = z.infer<typeof ListEnvironmentsResponseSchema>;

export const DeleteEnvironmentResponseSchema = z.object({ success: z.boolean() });
export type DeleteEnvironmentResponse = z.infer<typeof DeleteEnvironmentResponseSchema>;

/** Oz's `CloudEnvironmentConfig`: only GitHub repositories can be listed there, as `{owner, repo}`. */
export const CloudEnvironmentConfigSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  docker_image: z.string(),
  github_repos: z.array(z.object({ owner: z.string(), repo: z.string() })),
  setup_commands: z.array(z.string()),
});

export const CloudEnvironmentSchema = z.object({
  uid: z.string(),
  config: CloudEnvironmentConfigSchema,
  last_updated: Timestamp,
  setup_failed: z.boolean(),
  scope: ScopeSchema.optional(),
  creator: RunCreatorSchema.optional(),
});
export type CloudEnvironment = z.infer<typeof CloudEnvironmentSchema>;

export const ListAgentEnvironmentsResponseSchema = z.object({ environments: z.array(CloudEnvironmentSchema) });
export type ListAgentEnvironmentsResponse = z.infer<typeof ListAgentEnvironmentsResponseSchema>;
