import { type Command } from 'commander';
import { z } from 'zod';
import { type AmbitClient, ConflictError, type EnvironmentItem } from '../../client';
import {
  CreateEnvironmentRequestSchema,
  ENV_VAR_NAME_PATTERN,
  ENVIRONMENT_ID_PATTERN,
  ENVIRONMENT_SORT_FIELDS,
  UpdateEnvironmentRequestSchema,
  type CreateEnvironmentRequest,
  type UpdateEnvironmentRequest,
} from '../../domain';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { UsageError } from '../errors';
import { parseFlags } from '../flags';
import { shortTime, truncate } from '../output';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Request fields → the flag that sets them, so a server-side rule checked here names what the user typed. */
const FIELD_FLAGS: Record<string, string> = {
  name: '--name',
  description: '--description',
  docker_image: '--docker-image',
  repositories: '--repo',
  setup_commands: '--setup-command',
  env: '--env',
  scope: '--personal',
};

/** Checks a request with the API's own schema and turns the first problem into a one-line `UsageError`. */
function checkRequest<S extends z.ZodType>(schema: S, request: unknown): z.output<S> {
  const parsed = schema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const [field, index] = issue.path;
  const flag = FIELD_FLAGS[String(field)] ?? String(field ?? 'request');
  const message =
    issue.code === 'invalid_key' && issue.issues.length > 0
      ? issue.issues.map((i) => i.message).join(', ')
      : issue.message;
  const given = (request as Record<string, unknown>)[String(field)];
  if (field === 'env' && index !== undefined) throw new UsageError(`${flag} ${String(index)}: ${message}`);
  if (Array.isArray(given) && typeof index === 'number') {
    const item: unknown = given[index];
    const shown = typeof item === 'string' ? item : (item as { url?: string } | undefined)?.url;
    // A URL with a token in it is echoed without the token.
    const safe = (shown ?? '').replace(/\/\/[^@/\s]+@/, '//***@');
    throw new UsageError(`${flag} ${JSON.stringify(safe)}: ${message}`);
  }
  throw new UsageError(`${flag} ${message}`);
}

/** `--env KEY=VALUE` values as a map; the value may contain "=" and may be empty. */
export function parseEnvPairs(values: readonly string[], flag = '--env'): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of values) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} needs KEY=VALUE, e.g. ${flag} NODE_ENV=test (got "${pair}")`);
    const key = pair.slice(0, eq);
    if (!ENV_VAR_NAME_PATTERN.test(key)) {
      throw new UsageError(
        `${flag} name "${key}" must match [A-Za-z_][A-Za-z0-9_]* (letters, digits and _, not starting with a digit)`,
      );
    }
    if (key in env) throw new UsageError(`${flag} ${key} is given twice; give each variable once`);
    env[key] = pair.slice(eq + 1);
  }
  return env;
}

const text = (example: string) => z.string().trim().min(1, `needs a value, e.g. ${example}`).optional();

const CreateFlagsSchema = z.object({
  name: z.string({ error: 'is required, e.g. --name node-22' }),
  dockerImage: z.string({ error: 'is required, e.g. --docker-image node:22-bookworm' }),
  description: z.string().optional(),
  repo: z.array(z.string()).default([]),
  setupCommand: z.array(z.string()).default([]),
  env: z.array(z.string()).default([]),
  personal: z.boolean().default(false),
});

const UpdateFlagsSchema = z
  .object({
    name: z.string().optional(),
    dockerImage: z.string().optional(),
    description: z.string().optional(),
    clearDescription: z.boolean().default(false),
    repo: z.array(z.string()).optional(),
    clearRepos: z.boolean().default(false),
    setupCommand: z.array(z.string()).optional(),
    clearSetupCommands: z.boolean().default(false),
    env: z.array(z.string()).default([]),
    unsetEnv: z.array(z.string()).default([]),
    clearEnv: z.boolean().default(false),
  })
  .refine((f) => !(f.description !== undefined && f.clearDescription), {
    message: 'and --clear-description conflict: give one of them',
    path: ['description'],
  })
  .refine((f) => !(f.repo !== undefined && f.clearRepos), {
    message: 'and --clear-repos conflict: --repo already replaces the whole list',
    path: ['repo'],
  })
  .refine((f) => !(f.setupCommand !== undefined && f.clearSetupCommands), {
    message: 'and --clear-setup-commands conflict: --setup-command already replaces the whole list',
    path: ['setupCommand'],
  });

const ListFlagsSchema = z.object({
  name: text('--name node-22'),
  scope: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
      z.enum(['team', 'personal'], { error: 'must be team or personal, e.g. --scope personal' }),
    )
    .optional(),
  limit: z.coerce
    .number({ error: 'must be a whole number from 1 to 500, e.g. --limit 50' })
    .int('must be a whole number from 1 to 500, e.g. --limit 50')
    .min(1, 'must be a whole number from 1 to 500, e.g. --limit 50')
    .max(500, 'must be a whole number from 1 to 500, e.g. --limit 50')
    .default(20),
  cursor: text('--cursor <next_cursor from the previous page>'),
  sortBy: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
      z.enum(ENVIRONMENT_SORT_FIELDS, { error: `must be one of ${ENVIRONMENT_SORT_FIELDS.join(', ')}` }),
    )
    .optional(),
  sortOrder: z
    .preprocess(
      (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
      z.enum(['asc', 'desc'], { error: 'must be asc or desc' }),
    )
    .optional(),
});

const RefSchema = z.object({
  ref: z.string().trim().min(1, 'is required: an environment id or name (find them with `ambit environment list`)'),
});

/**
 * The environment an `<id|name>` argument means: an id is fetched directly; a name must match exactly one visible
 * environment (a team one and a personal one may share a name; then the id is needed).
 */
export async function resolveEnvironment(client: AmbitClient, raw: string): Promise<EnvironmentItem> {
  const { ref } = parseFlags(RefSchema, { ref: raw }, { ref: '<id|name>' });
  if (ENVIRONMENT_ID_PATTERN.test(ref)) return await client.environments.get(ref);
  const matches: EnvironmentItem[] = [];
  for await (const env of client.environments.listAll({ name: ref, limit: 100 })) matches.push(env);
  const [only] = matches;
  if (only && matches.length === 1) return only;
  if (matches.length === 0) {
    throw new Error(`no environment named "${ref}" is visible to this API key; see \`ambit environment list\``);
  }
  throw new UsageError(
    `${matches.length} environments are named "${ref}" (${matches.map((m) => `${m.id} ${scopeLabel(m)}`).join(', ')}); ` +
      'give the id instead',
  );
}

function scopeLabel(env: EnvironmentItem): string {
  return env.scope.type === 'User' ? `personal${env.scope.uid ? ` (${env.scope.uid})` : ''}` : 'team';
}

export function registerEnvironmentCommands(program: Command, io: CliIO, state: CliState): void {
  const environment = program
    .command('environment')
    .alias('env')
    .description('Create, list, inspect, change and delete environments (image, repositories, setup, variables).')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit environment create --name api --docker-image node:22-bookworm --repo acme/api --setup-command "npm ci"
  $ ambit environment list
  $ ambit environment get api -o json
  $ ambit environment update api --setup-command "npm ci" --setup-command "npm run build"
  $ ambit environment delete api`,
    );

  environment
    .command('create')
    .description('Create an environment, shared with the team unless --personal.')
    .option('--name <name>', 'unique among the team’s (or your personal) environments')
    .option('--docker-image <image>', 'image reference, e.g. node:22-bookworm or ghcr.io/acme/builder:1.4')
    .option('--repo <repo>', 'owner/repo (GitHub) or a git URL, cloned in order (repeatable)', collect)
    .option('--setup-command <command>', 'shell command run after cloning, in the order given (repeatable)', collect)
    .option('--env <KEY=VALUE>', 'non-secret environment variable (repeatable)', collect)
    .option('--description <text>', 'what it is for (at most 240 characters)')
    .option('--personal', 'visible only to you (and team admins) instead of the whole team')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit environment create --name api --docker-image node:22-bookworm \\
      --repo acme/api --repo git@gitlab.com:acme/shared.git \\
      --setup-command "npm ci" --setup-command "npm run build" --env NODE_ENV=test
  $ ambit environment create --name scratch --docker-image ubuntu:24.04 --personal -o json`,
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const f = parseFlags(CreateFlagsSchema, opts, { dockerImage: '--docker-image', setupCommand: '--setup-command' });
      const request: CreateEnvironmentRequest = checkRequest(CreateEnvironmentRequestSchema, {
        name: f.name,
        docker_image: f.dockerImage,
        ...(f.description !== undefined ? { description: f.description } : {}),
        repositories: f.repo,
        setup_commands: f.setupCommand,
        env: parseEnvPairs(f.env),
        ...(f.personal ? { scope: 'User' } : {}),
      });
      const created = await ctx.client.environments.create(request);
      reportWrite(ctx, created, 'Created');
    });

  environment
    .command('list')
    .description('List environments, most recently updated first.')
    .option('--name <name>', 'only environments with exactly this name')
    .option('--scope <scope>', 'team or personal')
    .option('-l, --limit <n>', 'how many, 1 to 500', '20')
    .option('--cursor <cursor>', 'continue from the next_cursor of a previous page')
    .option('--sort-by <field>', 'updated_at (default) or name')
    .option('--sort-order <order>', 'desc or asc (default: desc for updated_at, asc for name)')
    .addHelpText('after', '\nExamples:\n  $ ambit environment list\n  $ ambit environment list --sort-by name -o text')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      await listEnvironments(commandContext(cmd, io, state), opts);
    });

  environment
    .command('get')
    .description('Show one environment.')
    .argument('<id|name>', 'environment id or name')
    .addHelpText('after', '\nExamples:\n  $ ambit environment get api\n  $ ambit environment get env_123 -o json')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      printEnvironment(ctx, await resolveEnvironment(ctx.client, ref));
    });

  environment
    .command('update')
    .description('Change an environment; what is not given stays as it is.')
    .argument('<id|name>', 'environment id or name')
    .option('--name <name>', 'rename it')
    .option('--docker-image <image>', 'new image reference')
    .option('--description <text>', 'new description')
    .option('--clear-description', 'remove the description')
    .option('--repo <repo>', 'replaces the repository list with the ones given (repeatable)', collect)
    .option('--clear-repos', 'remove every repository')
    .option(
      '--setup-command <command>',
      'replaces the setup commands with the ones given, in order (repeatable)',
      collect,
    )
    .option('--clear-setup-commands', 'remove every setup command')
    .option('--env <KEY=VALUE>', 'set a variable, keeping the others (repeatable)', collect)
    .option('--unset-env <KEY>', 'remove a variable (repeatable)', collect)
    .option('--clear-env', 'remove every variable (before applying --env)')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit environment update api --docker-image node:22-bookworm --env CI=1 --unset-env DEBUG
  $ ambit environment update env_123 --repo acme/api --repo acme/web --clear-setup-commands`,
    )
    .action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const f = parseFlags(UpdateFlagsSchema, opts, {
        dockerImage: '--docker-image',
        setupCommand: '--setup-command',
        unsetEnv: '--unset-env',
      });
      const changes: Record<string, unknown> = {};
      if (f.name !== undefined) changes['name'] = f.name;
      if (f.dockerImage !== undefined) changes['docker_image'] = f.dockerImage;
      if (f.description !== undefined) changes['description'] = f.description;
      if (f.clearDescription) changes['description'] = null;
      if (f.repo !== undefined) changes['repositories'] = f.repo;
      if (f.clearRepos) changes['repositories'] = [];
      if (f.setupCommand !== undefined) changes['setup_commands'] = f.setupCommand;
      if (f.clearSetupCommands) changes['setup_commands'] = [];
      const setting = parseEnvPairs(f.env);
      const touchesEnv = f.env.length > 0 || f.unsetEnv.length > 0 || f.clearEnv;
      if (Object.keys(changes).length === 0 && !touchesEnv) {
        throw new UsageError(
          'nothing to change: give at least one of --name, --docker-image, --description, --repo, --setup-command, ' +
            '--env, --unset-env or a --clear-… flag',
        );
      }
      // Checked before the environment is fetched, so a typo costs no request.
      checkRequest(UpdateEnvironmentRequestSchema, { ...changes, ...(touchesEnv ? { env: setting } : {}) });
      const current = await resolveEnvironment(ctx.client, ref);
      if (touchesEnv) {
        const env: Record<string, string> = f.clearEnv ? {} : { ...current.env };
        for (const key of f.unsetEnv) {
          if (!(key in env) && !f.clearEnv) {
            throw new UsageError(
              `--unset-env ${key}: ${current.name} has no such variable (it has: ${Object.keys(env).join(', ') || 'none'})`,
            );
          }
          delete env[key];
        }
        changes['env'] = { ...env, ...setting };
      }
      const request: UpdateEnvironmentRequest = checkRequest(UpdateEnvironmentRequestSchema, changes);
      reportWrite(ctx, await ctx.client.environments.update(current.id, request), 'Updated');
    });

  environment
    .command('delete')
    .description('Delete an environment. Refused while runs that have not ended use it, unless --force.')
    .argument('<id|name>', 'environment id or name')
    .option('--force', 'delete even while runs (or, later, schedules and integrations) use it')
    .addHelpText('after', '\nExamples:\n  $ ambit environment delete api\n  $ ambit environment delete env_123 --force')
    .action(async (ref: string, opts: { force?: boolean }, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const target = await resolveEnvironment(ctx.client, ref);
      try {
        await ctx.client.environments.delete(target.id, { force: opts.force === true });
      } catch (err) {
        // The API's advice names its query parameter; here the same thing is a flag.
        if (err instanceof ConflictError && err.detail) {
          throw new Error(`${err.title ?? 'Conflict'}: ${err.detail.replace('?force=true', '--force')}`);
        }
        throw err;
      }
      const { out } = ctx;
      if (out.structured) out.json({ id: target.id, name: target.name, deleted: true });
      else if (out.format === 'text') out.line(target.id);
      else out.line(`${out.paint('yellow', '■')} Deleted environment ${out.paint('bold', target.id)} (${target.name})`);
    });
}

function reportWrite(ctx: CommandContext, env: EnvironmentItem, verb: 'Created' | 'Updated'): void {
  const { out } = ctx;
  if (out.structured) return out.json(env);
  if (out.format === 'text') return out.line(env.id);
  out.line(`${out.paint('green', '✓')} ${verb} environment ${out.paint('bold', env.id)} (${env.name})`);
  if (verb === 'Created') out.line(`  ${out.paint('dim', 'Use it:')} ambit run "<prompt>" --environment ${env.id}`);
}

async function listEnvironments(ctx: CommandContext, raw: Record<string, unknown>): Promise<void> {
  const f = parseFlags(ListFlagsSchema, raw, { sortBy: '--sort-by', sortOrder: '--sort-order' });
  const page = await ctx.client.environments.list({
    limit: f.limit,
    ...(f.name ? { name: f.name } : {}),
    ...(f.scope ? { scope: f.scope === 'personal' ? 'User' : 'Team' } : {}),
    ...(f.cursor ? { cursor: f.cursor } : {}),
    ...(f.sortBy ? { sort_by: f.sortBy } : {}),
    ...(f.sortOrder ? { sort_order: f.sortOrder } : {}),
  });
  const { out } = ctx;
  if (out.format === 'json') return out.json(page);
  if (out.format === 'ndjson') {
    for (const env of page.environments) out.json(env);
    return;
  }
  if (page.environments.length === 0 && out.format === 'pretty') {
    out.line(
      out.paint(
        'dim',
        'No environments. Create one with: ambit environment create --name <name> --docker-image <image>',
      ),
    );
    return;
  }
  out.table(
    ['ID', 'NAME', 'IMAGE', 'SCOPE', 'REPOS', 'UPDATED'],
    page.environments.map((e) => [
      e.id,
      out.format === 'text' ? e.name : truncate(e.name, 32),
      out.format === 'text' ? e.docker_image : truncate(e.docker_image, 40),
      e.scope.type === 'User' ? 'personal' : 'team',
      String(e.repositories.length),
      shortTime(e.updated_at),
    ]),
  );
  if (out.format === 'pretty' && page.page_info.has_next_page && page.page_info.next_cursor) {
    out.line(out.paint('dim', `More environments: ambit environment list --cursor ${page.page_info.next_cursor}`));
  }
}

function printEnvironment(ctx: CommandContext, env: EnvironmentItem): void {
  const { out } = ctx;
  if (out.structured) return out.json(env);
  const fields: [string, string | undefined][] = [
    ['Name', env.name],
    ['Description', env.description ?? undefined],
    ['Image', env.docker_image],
    ['Scope', scopeLabel(env)],
    ...env.repositories.map((r): [string, string] => ['Repository', r.ref ? `${r.url} (${r.ref})` : r.url]),
    ...env.setup_commands.map((c, i): [string, string] => [
      'Setup',
      `${i + 1}. ${out.format === 'pretty' ? truncate(c, 100) : c.replace(/\s*\n\s*/g, ' ')}`,
    ]),
    ...Object.entries(env.env).map(([k, v]): [string, string] => ['Env', `${k}=${v}`]),
    ['Setup failed', env.setup_failed ? 'yes (the last run failed during setup)' : undefined],
    ['Creator', env.creator?.display_name ?? env.creator?.uid],
    ['Created', shortTime(env.created_at)],
    ['Updated', shortTime(env.updated_at)],
  ];
  const shown = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '');
  if (out.format === 'text') {
    out.line(`Environment: ${env.id}`);
    for (const [k, v] of shown) out.line(`${k}: ${v}`);
    return;
  }
  out.line(`${out.paint('bold', 'Environment')} ${out.paint('bold', env.id)}`);
  for (const [k, v] of shown) out.line(`  ${out.paint('dim', k.padEnd(12))} ${v}`);
}
