/**
 * `ambit integration create github|slack|linear|webhook|list|get|update|delete`. One command sets an integration up:
 * secrets by name (`--secret role=NAME`) or from files (`--secret-file role=PATH`, never a value on the command
 * line), the service's settings, and the run defaults its runs get.
 */
import fs from 'node:fs';
import { type Command } from 'commander';
import { type z } from 'zod';
import {
  CreateIntegrationRequestSchema,
  UpdateIntegrationRequestSchema,
  type IntegrationItem,
} from '../../integrations/schemas';
import { INTEGRATION_TYPES, type IntegrationType } from '../../integrations/types';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { UsageError } from '../errors';
import { shortTime, truncate } from '../output';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Request fields → the flag that sets them, so the API's own checks name what the user typed. */
const FIELD_FLAGS: Record<string, string> = {
  name: '--name',
  type: '<type>',
  'config.repositories': '--repo',
  'config.organization': '--org',
  'config.mention': '--mention',
  'config.labels': '--label',
  'config.api_url': '--github-api-url',
  'config.prompt_template': '--prompt-template',
  'config.environment_id': '--environment',
  'config.model_id': '--model',
  'config.base_prompt': '--base-prompt',
  'config.worker_host': '--host',
  secret_refs: '--secret',
  secret_values: '--secret-file',
};

function checkRequest<S extends z.ZodType>(schema: S, request: unknown): z.output<S> {
  const parsed = schema.safeParse(request);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  const flag = FIELD_FLAGS[path.slice(0, 2).join('.')] ?? FIELD_FLAGS[path[0] ?? ''] ?? path.join('.');
  throw new UsageError(`${flag}: ${issue.message}`);
}

function pairs(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0) throw new UsageError(`${flag} takes KEY=VALUE (got "${v.split('=')[0]}…")`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

/** `--set key=value`: the value as JSON when it parses (numbers, booleans, arrays), else the string. */
function setting(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** The integration's config from the flags; `base` is the current config on update. */
function configFrom(opts: Record<string, unknown>, base: Record<string, unknown> = {}): Record<string, unknown> {
  const config: Record<string, unknown> = { ...base };
  const s = (k: string) => opts[k] as string | undefined;
  const list = (k: string) => opts[k] as string[] | undefined;
  if (list('repo')) config['repositories'] = list('repo');
  if (s('org') !== undefined) config['organization'] = s('org');
  if (s('mention') !== undefined) config['mention'] = s('mention');
  if (list('label')) config['labels'] = list('label');
  if (s('githubApiUrl') !== undefined) config['api_url'] = s('githubApiUrl');
  if (opts['register'] === false) config['register_webhook'] = false;
  if (s('promptTemplate') !== undefined) config['prompt_template'] = s('promptTemplate');
  if (s('environment') !== undefined) config['environment_id'] = s('environment');
  if (s('model') !== undefined) config['model_id'] = s('model');
  if (s('basePrompt') !== undefined) config['base_prompt'] = s('basePrompt');
  if (s('host') !== undefined) config['worker_host'] = s('host');
  for (const [k, v] of Object.entries(pairs(list('set'), '--set'))) config[k] = setting(v);
  return config;
}

function secretValuesFrom(opts: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [role, file] of Object.entries(pairs(opts['secretFile'] as string[] | undefined, '--secret-file'))) {
    try {
      out[role] = fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new UsageError(`--secret-file ${role}=${file}: ${(err as NodeJS.ErrnoException).code ?? 'cannot be read'}`);
    }
  }
  return out;
}

function withSettingsOptions(cmd: Command): Command {
  return cmd
    .option('--repo <owner/name>', 'GitHub: a repository whose events start runs (repeatable)', collect)
    .option('--org <login>', 'GitHub: an organization (one organization webhook)')
    .option('--mention <@handle>', 'GitHub: the mention that starts a run (default @ambit)')
    .option('--label <name>', 'GitHub: a label that starts a run when added to an issue (repeatable)', collect)
    .option('--github-api-url <url>', 'GitHub: REST API root (GitHub Enterprise Server: https://HOST/api/v3)')
    .option('--no-register', 'GitHub: do not register the webhook (you add it by hand)')
    .option('--prompt-template <text>', 'webhook: the prompt, with {{path.to.field}} from the payload')
    .option('--set <key=value>', 'any other setting of the integration (value parsed as JSON when it is)', collect)
    .option(
      '--secret <role=NAME>',
      'use the team secret NAME for a role, e.g. token=GITHUB_TOKEN (repeatable)',
      collect,
    )
    .option('--secret-file <role=PATH>', 'store the file’s content as the secret for a role (repeatable)', collect)
    .option('--environment <id>', 'run default: environment')
    .option('--model <id>', 'run default: model, e.g. openai/gpt-4o')
    .option('--base-prompt <text>', 'run default: base prompt')
    .option('--host <id>', 'run default: worker host');
}

function statusLabel(ctx: CommandContext, i: IntegrationItem): string {
  const { out } = ctx;
  if (i.status.state === 'connected') return out.paint('green', 'connected');
  if (i.status.state === 'disabled') return out.paint('dim', 'disabled');
  return out.paint('red', 'error');
}

function show(ctx: CommandContext, i: IntegrationItem, verb?: string): void {
  const { out } = ctx;
  if (out.structured) return out.json(i);
  if (out.format === 'text') return out.line(i.id);
  if (verb) out.line(`${out.paint('green', '✓')} ${verb} ${i.type} integration ${out.paint('bold', i.name)} (${i.id})`);
  out.table(
    ['FIELD', 'VALUE'],
    [
      ['id', i.id],
      ['type', i.type],
      ['name', i.name],
      ['status', statusLabel(ctx, i)],
      ['webhook', i.status.webhook_registered ? 'registered' : '-'],
      ['hook url', i.hook_url],
      ['last event', i.status.last_event_at ? shortTime(i.status.last_event_at) : '-'],
      ['last error', i.status.last_error ? truncate(i.status.last_error, 100) : '-'],
      [
        'secrets',
        Object.entries(i.secret_refs)
          .map(([r, n]) => `${r}=${n}`)
          .join(', ') || '-',
      ],
      ['config', JSON.stringify(i.config)],
    ],
  );
  if (i.instructions) out.line(`\n${i.instructions}`);
}

export function registerIntegrationCommands(program: Command, io: CliIO, state: CliState): void {
  const integration = program
    .command('integration')
    .description('Manage integrations: GitHub, Slack, Linear and generic webhooks that start runs and get results.')
    .addHelpText(
      'after',
      `
Secret values never go on the command line: name an existing team secret (--secret role=NAME) or give a file
(--secret-file role=PATH).

Examples:
  $ ambit integration create github --name app --repo octo/app --label ambit \\
      --secret token=GITHUB_TOKEN --secret-file webhook_secret=./hook-secret.txt
  $ ambit integration create webhook --name alerts \\
      --prompt-template 'Investigate {{alert.name}}' --secret-file webhook_secret=./alerts.txt
  $ ambit integration list
  $ ambit integration update app --label ambit --label needs-agent
  $ ambit integration delete app`,
    );

  withSettingsOptions(
    integration
      .command('create')
      .description('Create an integration: store its secrets, register its webhook, record its run defaults.')
      .argument('<type>', INTEGRATION_TYPES.join(' | '))
      .requiredOption('--name <name>', 'a name, unique per type in the team')
      .option('--disabled', 'create it disabled (deliveries answer 404 until enabled)'),
  ).action(async (type: string, opts: Record<string, unknown>, cmd: Command) => {
    const ctx = commandContext(cmd, io, state);
    const secretRefs = pairs(opts['secret'] as string[] | undefined, '--secret');
    const secretValues = secretValuesFrom(opts);
    const request = checkRequest(CreateIntegrationRequestSchema, {
      type,
      name: opts['name'],
      config: configFrom(opts),
      ...(opts['disabled'] ? { enabled: false } : {}),
      ...(Object.keys(secretRefs).length ? { secret_refs: secretRefs } : {}),
      ...(Object.keys(secretValues).length ? { secret_values: secretValues } : {}),
    });
    show(ctx, await ctx.client.integrations.create(request), 'Created');
  });

  integration
    .command('list')
    .description('List integrations with their status (connected, last event, last error).')
    .option('--type <type>', INTEGRATION_TYPES.join(' | '))
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const type = opts['type'] as string | undefined;
      if (type !== undefined && !(INTEGRATION_TYPES as readonly string[]).includes(type)) {
        throw new UsageError(`--type must be one of ${INTEGRATION_TYPES.join(', ')}`);
      }
      const { integrations } = await ctx.client.integrations.list(type ? { type: type as IntegrationType } : {});
      const { out } = ctx;
      if (out.structured) return out.json({ integrations });
      if (integrations.length === 0 && out.format === 'pretty') {
        return out.line('No integrations. Create one: ambit integration create github --name NAME --repo OWNER/REPO …');
      }
      out.table(
        ['NAME', 'TYPE', 'ID', 'STATUS', 'LAST EVENT', 'LAST ERROR'],
        integrations.map((i) => [
          i.name,
          i.type,
          i.id,
          statusLabel(ctx, i),
          i.status.last_event_at ? shortTime(i.status.last_event_at) : '-',
          truncate(i.status.last_error ?? '-', 50),
        ]),
      );
    });

  integration
    .command('get')
    .description('Show an integration: settings, secret names, hook URL and status.')
    .argument('<name|id>', 'integration name or id')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      show(ctx, await resolveIntegration(ctx, ref));
    });

  withSettingsOptions(
    integration
      .command('update')
      .description('Change an integration; new settings or secrets re-register its webhook.')
      .argument('<name|id>', 'integration name or id')
      .option('--name <name>', 'a new name')
      .option('--enable', 'enable it')
      .option('--disable', 'disable it (deliveries answer 404)'),
  ).action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
    const ctx = commandContext(cmd, io, state);
    if (opts['enable'] && opts['disable']) throw new UsageError('--enable and --disable exclude each other');
    const current = await resolveIntegration(ctx, ref);
    const config = configFrom(opts, current.config);
    const secretRefs = pairs(opts['secret'] as string[] | undefined, '--secret');
    const secretValues = secretValuesFrom(opts);
    const request = checkRequest(UpdateIntegrationRequestSchema, {
      ...(opts['name'] !== undefined ? { name: opts['name'] } : {}),
      ...(opts['enable'] ? { enabled: true } : opts['disable'] ? { enabled: false } : {}),
      ...(JSON.stringify(config) !== JSON.stringify(current.config) ? { config } : {}),
      ...(Object.keys(secretRefs).length ? { secret_refs: secretRefs } : {}),
      ...(Object.keys(secretValues).length ? { secret_values: secretValues } : {}),
    });
    show(ctx, await ctx.client.integrations.update(current.id, request), 'Updated');
  });

  integration
    .command('delete')
    .description('Delete an integration, removing its webhook from the service first.')
    .argument('<name|id>', 'integration name or id')
    .option('--force', 'delete even when the service cannot be reached (its webhook stays there)')
    .action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const current = await resolveIntegration(ctx, ref);
      const res = await ctx.client.integrations.delete(current.id, { force: opts['force'] === true });
      const { out } = ctx;
      if (out.structured) return out.json(res);
      if (out.format === 'text') return out.line(res.id);
      out.line(
        `${out.paint('green', '✓')} Deleted ${current.type} integration ${out.paint('bold', current.name)} (${res.id})` +
          (res.webhook_removed ? '' : ' — its webhook could not be removed from the service; remove it by hand'),
      );
    });
}

/** An integration by id (int_…) or by name (unique per type; a name used by two types needs the id). */
async function resolveIntegration(ctx: CommandContext, ref: string): Promise<IntegrationItem> {
  if (ref.startsWith('int_')) return ctx.client.integrations.get(ref);
  const { integrations } = await ctx.client.integrations.list();
  const matches = integrations.filter((i) => i.name === ref);
  if (matches.length === 0) throw new UsageError(`no integration named ${ref}; see ambit integration list`);
  if (matches.length > 1) {
    throw new UsageError(
      `${matches.length} integrations are named ${ref} (${matches.map((i) => `${i.id}, ${i.type}`).join('; ')}); give the id`,
    );
  }
  return matches[0]!;
}
