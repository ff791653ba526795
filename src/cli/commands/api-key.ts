import { type Command } from 'commander';
import { z } from 'zod';
import { type ApiKeyItem } from '../../client';
import { API_KEY_EXPIRIES, API_KEY_STATES } from '../../services/api-keys/schemas';
import { type CliIO, type CliState, commandContext } from '../context';
import { parseFlags } from '../flags';
import { shortTime } from '../output';

const lower = (v: unknown): unknown => (typeof v === 'string' ? v.trim().toLowerCase() : v);

const CreateFlagsSchema = z.object({
  name: z.string({ error: 'is required, e.g. --name laptop' }).trim().min(1, 'needs a value, e.g. --name laptop'),
  team: z.boolean().default(false),
  expires: z.preprocess(
    lower,
    z.enum(API_KEY_EXPIRIES, { error: `must be one of ${API_KEY_EXPIRIES.join(', ')}, e.g. --expires 30d` }),
  ),
  user: z.string().trim().min(1, 'needs a user id, e.g. --user user_123').optional(),
});

const ListFlagsSchema = z.object({
  scope: z.preprocess(lower, z.enum(['personal', 'team'], { error: 'must be personal or team' })).optional(),
  state: z
    .preprocess(lower, z.enum(API_KEY_STATES, { error: `must be one of ${API_KEY_STATES.join(', ')}` }))
    .optional(),
});

function keyRow(k: ApiKeyItem): string[] {
  return [
    k.id,
    k.name,
    `${k.prefix}…`,
    k.scope,
    k.user?.uid ?? '-',
    k.state,
    k.expires_at ? shortTime(k.expires_at) : 'never',
    k.last_used_at ? shortTime(k.last_used_at) : '-',
  ];
}

const HEADERS = ['ID', 'NAME', 'PREFIX', 'SCOPE', 'USER', 'STATE', 'EXPIRES', 'LAST USED'];

export function registerApiKeyCommands(program: Command, io: CliIO, state: CliState): void {
  const keys = program.command('api-key').alias('api-keys').description('API keys: create (shown once), list, expire.');

  keys
    .command('create')
    .description('Create an API key and print it once; it cannot be shown again.')
    .option('--name <name>', 'what the key is for, e.g. laptop or CI')
    .option('--team', 'a team key (admins only): belongs to no person, acts as an admin of the team', false)
    .option('--expires <when>', `${API_KEY_EXPIRIES.join(', ')} (default 90d)`, '90d')
    .option('--user <user_id>', 'admins: a personal key for this member')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ambit api-key create --name laptop --expires 30d\n  $ ambit api-key create --name ci --team ' +
        '--expires never -o json\n  $ AMBIT_API_KEY=$(ambit api-key create --name ci -o text)',
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const flags = parseFlags(CreateFlagsSchema, opts, {});
      const created = await client.apiKeys.create({
        name: flags.name,
        scope: flags.team ? 'team' : 'personal',
        expires_in: flags.expires,
        ...(flags.user !== undefined ? { user_id: flags.user } : {}),
      });
      if (out.structured) return out.json(created);
      if (out.format === 'text') return out.line(created.key);
      out.line(`Created ${created.scope} API key ${created.id} (${created.name}), ${expiry(created.expires_at)}.`);
      out.line('Copy it now: it is not stored and will not be shown again.');
      out.line();
      out.line(`  ${out.paint('bold', created.key)}`);
    });

  keys
    .command('list')
    .description('List API keys: admins see all of the team’s, others their own personal keys. Never the secrets.')
    .option('--scope <scope>', 'personal or team')
    .option('--state <state>', API_KEY_STATES.join(', '))
    .addHelpText('after', '\nExamples:\n  $ ambit api-key list\n  $ ambit api-key list --state active -o json')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const flags = parseFlags(ListFlagsSchema, opts, {});
      const list = await client.apiKeys.list(flags);
      if (out.format === 'json') return out.json(list);
      if (out.format === 'ndjson') return list.api_keys.forEach((k) => out.json(k));
      if (list.api_keys.length === 0 && out.format === 'pretty') return out.line('No API keys.');
      out.table(HEADERS, list.api_keys.map(keyRow));
    });

  keys
    .command('expire')
    .description('Expire (revoke) an API key now.')
    .argument('<key_id>', 'the key’s id (see `ambit api-key list`)')
    .addHelpText('after', '\nExamples:\n  $ ambit api-key expire key_0b6f…')
    .action(async (keyId: string, _opts: unknown, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const key = await client.apiKeys.expire(keyId);
      if (out.structured) return out.json(key);
      if (out.format === 'text') return out.line(key.id);
      out.line(`API key ${key.id} (${key.name}) is ${key.state}.`);
    });
}

function expiry(expiresAt: string | null): string {
  return expiresAt ? `expires ${expiresAt}` : 'never expires';
}
