/** `ambit vars create|list|get|update|delete|attach`: named non-secret variable sets. */
import type { Command } from 'commander';
import type { VarSetItem } from '../../domain';
import { type CliIO, type CliState, commandContext } from '../context';
import { UsageError } from '../errors';
import { parseEnvPairs, resolveEnvironment } from './environment';
import { collect, printList, printObject, reportDeleted, reportWrite, resolveRef } from './team';

export function registerVarsCommands(program: Command, io: CliIO, state: CliState): void {
  const vars = program
    .command('vars')
    .description('Variable sets: named non-secret variables for environments (attach) and runs (config.var_sets).')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit vars create --name ci --var CI=1 --var NODE_ENV=test
  $ ambit vars attach api ci node-22
  $ ambit vars update ci --var CI=true --unset LOG_LEVEL`,
    );
  const find = (ctx: ReturnType<typeof commandContext>, ref: string) =>
    resolveRef<VarSetItem>(ctx.client.varSets, ref, 'vars', 'variable set', 'ambit vars list');

  vars
    .command('create')
    .description('Create a variable set (team-wide unless --personal; team sets need an admin key).')
    .requiredOption('--name <name>', 'unique among the team’s (or your personal) sets')
    .option('--var <KEY=VALUE>', 'a variable (repeatable)', collect)
    .option('--description <text>', 'what it is for')
    .option('--personal', 'visible only to you (and team admins)')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const created = await ctx.client.varSets.create({
        name: String(opts['name']),
        vars: parseEnvPairs((opts['var'] as string[] | undefined) ?? [], '--var'),
        ...(typeof opts['description'] === 'string' ? { description: opts['description'] } : {}),
        ...(opts['personal'] ? { scope: 'User' as const } : {}),
      });
      reportWrite(ctx, created, 'Created', 'variable set');
    });

  vars
    .command('list')
    .description('List variable sets.')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      printList(
        ctx,
        await ctx.client.varSets.list(),
        'var_sets',
        'No variable sets. Create one with: ambit vars create',
        [['VARIABLES', (s) => Object.keys(s.vars).join(', ')]],
      );
    });

  vars
    .command('get')
    .description('Show one variable set.')
    .argument('<id|name>', 'variable set id or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const s = await find(ctx, ref);
      printObject(ctx, 'Variable set', s, [
        ['Name', s.name],
        ['Description', s.description ?? undefined],
        ...Object.entries(s.vars).map(([k, v]): [string, string] => ['Var', `${k}=${v}`]),
      ]);
    });

  vars
    .command('update')
    .description('Change a variable set: --var sets a variable, --unset removes one, the others stay.')
    .argument('<id|name>', 'variable set id or name')
    .option('--name <name>', 'rename it')
    .option('--description <text>', 'new description')
    .option('--var <KEY=VALUE>', 'set a variable (repeatable)', collect)
    .option('--unset <KEY>', 'remove a variable (repeatable)', collect)
    .action(async (ref: string, opts: Record<string, unknown>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const setting = parseEnvPairs((opts['var'] as string[] | undefined) ?? [], '--var');
      const unset = (opts['unset'] as string[] | undefined) ?? [];
      const touches = Object.keys(setting).length > 0 || unset.length > 0;
      const base = {
        ...(typeof opts['name'] === 'string' ? { name: opts['name'] } : {}),
        ...(typeof opts['description'] === 'string' ? { description: opts['description'] } : {}),
      };
      if (!touches && Object.keys(base).length === 0) {
        throw new UsageError('nothing to change: give --name, --description, --var or --unset');
      }
      const target = await find(ctx, ref);
      const next = { ...target.vars };
      for (const key of unset) {
        if (!(key in next)) throw new UsageError(`--unset ${key}: ${target.name} has no such variable`);
        delete next[key];
      }
      const request = { ...base, ...(touches ? { vars: { ...next, ...setting } } : {}) };
      reportWrite(ctx, await ctx.client.varSets.update(target.id, request), 'Updated', 'variable set');
    });

  vars
    .command('delete')
    .description('Delete a variable set (environments that named it skip it).')
    .argument('<id|name>', 'variable set id or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const target = await find(ctx, ref);
      await ctx.client.varSets.delete(target.id);
      reportDeleted(ctx, target, 'variable set');
    });

  vars
    .command('attach')
    .description('Set the variable sets an environment applies, in order (none given: detach all).')
    .argument('<environment>', 'environment id or name')
    .argument('[sets...]', 'variable set ids or names; a later set wins, the environment’s own env wins over all')
    .action(async (environmentRef: string, sets: string[], _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const env = await resolveEnvironment(ctx.client, environmentRef);
      const result = await ctx.client.varSets.setForEnvironment(env.id, { var_set_ids: sets });
      const { out } = ctx;
      if (out.structured) return out.json(result);
      const names = result.var_sets.map((s) => s.name).join(', ') || 'none';
      out.line(out.format === 'text' ? names : `${out.paint('green', '✓')} ${env.name} applies: ${names}`);
    });
}
