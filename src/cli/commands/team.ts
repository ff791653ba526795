/**
 * `ambit team settings get|set`, and the helpers the config-object commands share (rule, prompt, mcp, vars):
 * resolving an `<id|name>` argument and printing one object or a list.
 */
import type { Command } from 'commander';
import type { ListConfigObjectsParams } from '../../client';
import type { UpdateTeamSettingsRequest } from '../../domain';
import { type CliIO, type CliState, type CommandContext, commandContext } from '../context';
import { UsageError } from '../errors';
import { shortTime, truncate } from '../output';

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface Named {
  id: string;
  name: string;
  scope: { type: string; uid?: string };
}

/**
 * The object an `<id|name>` argument means: ids (`<prefix>_…`) are fetched; a name must match exactly one visible
 * object (a team one and a personal one may share a name; then the id is needed).
 */
export async function resolveRef<T extends Named>(
  resource: { get(id: string): Promise<T>; list(params?: ListConfigObjectsParams): Promise<T[]> },
  ref: string,
  idPrefix: string,
  what: string,
  listCommand: string,
): Promise<T> {
  const trimmed = ref.trim();
  if (!trimmed) throw new UsageError(`<id|name> is required: a ${what} id or name (see \`${listCommand}\`)`);
  if (trimmed.startsWith(`${idPrefix}_`)) return await resource.get(trimmed);
  const matches = await resource.list({ name: trimmed });
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new Error(`no ${what} named "${trimmed}" is visible to this API key; see \`${listCommand}\``);
  throw new UsageError(
    `${matches.length} ${what}s are named "${trimmed}" (${matches.map((m) => `${m.id} ${scopeLabel(m)}`).join(', ')}); give the id`,
  );
}

export function scopeLabel(o: Named): string {
  return o.scope.type === 'User' ? 'personal' : 'team';
}

/** One object: JSON when structured, its id in text, labelled fields in pretty. */
export function printObject(
  ctx: CommandContext,
  title: string,
  item: Named,
  fields: [string, string | undefined][],
): void {
  const { out } = ctx;
  if (out.structured) return out.json(item);
  const shown = fields.filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '');
  if (out.format === 'text') {
    out.line(`${title}: ${item.id}`);
    for (const [k, v] of shown) out.line(`${k}: ${v}`);
    return;
  }
  out.line(`${out.paint('bold', title)} ${out.paint('bold', item.id)}`);
  for (const [k, v] of shown) out.line(`  ${out.paint('dim', k.padEnd(12))} ${v}`);
}

export function printList<T extends Named & { updated_at: string }>(
  ctx: CommandContext,
  items: T[],
  listKey: string,
  empty: string,
  columns: [string, (item: T) => string][],
): void {
  const { out } = ctx;
  if (out.format === 'json') return out.json({ [listKey]: items });
  if (out.format === 'ndjson') {
    for (const item of items) out.json(item);
    return;
  }
  if (items.length === 0 && out.format === 'pretty') return out.line(out.paint('dim', empty));
  out.table(
    ['ID', 'NAME', ...columns.map(([h]) => h), 'SCOPE', 'UPDATED'],
    items.map((i) => [
      i.id,
      out.format === 'text' ? i.name : truncate(i.name, 32),
      ...columns.map(([, f]) => f(i)),
      scopeLabel(i),
      shortTime(i.updated_at),
    ]),
  );
}

export function reportWrite(ctx: CommandContext, item: Named, verb: string, what: string): void {
  const { out } = ctx;
  if (out.structured) return out.json(item);
  if (out.format === 'text') return out.line(item.id);
  out.line(`${out.paint('green', '✓')} ${verb} ${what} ${out.paint('bold', item.id)} (${item.name})`);
}

export function reportDeleted(ctx: CommandContext, item: Named, what: string): void {
  const { out } = ctx;
  if (out.structured) out.json({ id: item.id, name: item.name, deleted: true });
  else if (out.format === 'text') out.line(item.id);
  else out.line(`${out.paint('yellow', '■')} Deleted ${what} ${out.paint('bold', item.id)} (${item.name})`);
}

const SETTING_FLAGS: Record<string, keyof UpdateTeamSettingsRequest> = {
  model: 'default_model_id',
  basePrompt: 'base_prompt',
  environment: 'default_environment_id',
  host: 'default_worker_host',
  maxTurns: 'max_turns',
  runTimeout: 'run_timeout_minutes',
};
const CLEARABLE: Record<string, keyof UpdateTeamSettingsRequest> = {
  model: 'default_model_id',
  'base-prompt': 'base_prompt',
  environment: 'default_environment_id',
  host: 'default_worker_host',
  'max-turns': 'max_turns',
  'run-timeout': 'run_timeout_minutes',
};

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number from 1, e.g. ${flag} 40`);
  return n;
}

export function registerTeamCommands(program: Command, io: CliIO, state: CliState): void {
  const team = program.command('team').description("The team's settings: defaults every run starts from.");
  const settings = team
    .command('settings')
    .description('Show or change team settings (default model, base prompt, environment, host, limits).');

  settings
    .command('get')
    .description('Show the team settings (unset ones use the platform default).')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const s = await ctx.client.team.getSettings();
      const { out } = ctx;
      if (out.structured) return out.json(s);
      const rows: [string, string][] = [
        ['Default model', s.default_model_id ?? '(platform default)'],
        ['Base prompt', s.base_prompt ?? '(none)'],
        ['Environment', s.default_environment_id ?? '(none: the host workspace)'],
        ['Host', s.default_worker_host ?? '(the platform host)'],
        ['Max turns', s.max_turns === null ? '(platform default)' : String(s.max_turns)],
        ['Run timeout', s.run_timeout_minutes === null ? '(platform default)' : `${s.run_timeout_minutes} min`],
      ];
      for (const [k, v] of rows)
        out.line(out.format === 'text' ? `${k}: ${v}` : `  ${out.paint('dim', k.padEnd(14))} ${v}`);
    });

  settings
    .command('set')
    .description('Change team settings (admins). What is not given stays; --clear resets one to the platform default.')
    .option('--model <model_id>', 'default model, e.g. openai/gpt-4o')
    .option('--base-prompt <text>', 'text added to every run’s instructions')
    .option('--environment <id>', 'default environment (a team environment id)')
    .option('--host <id>', 'default host for runs (a self-hosted host id)')
    .option('--max-turns <n>', 'turn limit of a run')
    .option('--run-timeout <minutes>', 'time limit of a run, in minutes')
    .option('--clear <setting>', `reset a setting: ${Object.keys(CLEARABLE).join(', ')} (repeatable)`, collect)
    .addHelpText(
      'after',
      '\nExamples:\n  $ ambit team settings set --model openai/gpt-4o --max-turns 40\n  $ ambit team settings set --clear base-prompt',
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const request: Record<string, unknown> = {};
      for (const [flag, field] of Object.entries(SETTING_FLAGS)) {
        const v = opts[flag];
        if (typeof v !== 'string') continue;
        request[field] =
          flag === 'maxTurns'
            ? wholeNumber('--max-turns', v)
            : flag === 'runTimeout'
              ? wholeNumber('--run-timeout', v)
              : v;
      }
      for (const name of (opts['clear'] as string[] | undefined) ?? []) {
        const field = CLEARABLE[name];
        if (!field)
          throw new UsageError(`--clear ${name}: not a setting; use one of ${Object.keys(CLEARABLE).join(', ')}`);
        if (field in request) throw new UsageError(`--clear ${name} conflicts with the value given for it`);
        request[field] = null;
      }
      if (Object.keys(request).length === 0) {
        throw new UsageError(
          'nothing to change: give at least one of --model, --base-prompt, --environment, --host, --max-turns, --run-timeout or --clear',
        );
      }
      const s = await ctx.client.team.updateSettings(request);
      if (ctx.out.structured) return ctx.out.json(s);
      ctx.out.line(`${ctx.out.paint('green', '✓')} Updated team settings (${Object.keys(request).join(', ')})`);
    });
}
