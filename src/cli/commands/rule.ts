/** `ambit rule create|list|get|update|delete`: text added to the instructions of the team's runs. */
import type { Command } from 'commander';
import type { RuleItem, UpdateRuleRequest } from '../../domain';
import { type CliIO, type CliState, commandContext } from '../context';
import { UsageError } from '../errors';
import { truncate } from '../output';
import { printList, printObject, reportDeleted, reportWrite, resolveRef } from './team';

export function registerRuleCommands(program: Command, io: CliIO, state: CliState): void {
  const rule = program
    .command('rule')
    .description('Rules: text added to every run’s instructions (team-wide, per environment, or personal).')
    .addHelpText(
      'after',
      `
Examples:
  $ ambit rule create --name no-force-push --content "Never force-push to main."
  $ ambit rule create --name api-tests --content "Run npm test in api/ before answering." --environment env_123
  $ ambit rule list
  $ ambit rule update no-force-push --disable`,
    );
  const find = (ctx: ReturnType<typeof commandContext>, ref: string) =>
    resolveRef<RuleItem>(ctx.client.rules, ref, 'rule', 'rule', 'ambit rule list');

  rule
    .command('create')
    .description('Create a rule (team-wide unless --environment or --personal; team rules need an admin key).')
    .requiredOption('--name <name>', 'unique among the team’s (or your personal) rules')
    .requiredOption('--content <text>', 'the text added to the instructions')
    .option('--environment <id>', 'only runs in this environment get it')
    .option('--disabled', 'create it switched off')
    .option('--personal', 'applies to your own runs only')
    .action(async (opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const created = await ctx.client.rules.create({
        name: String(opts['name']),
        content: String(opts['content']),
        ...(typeof opts['environment'] === 'string' ? { environment_id: opts['environment'] } : {}),
        ...(opts['disabled'] ? { enabled: false } : {}),
        ...(opts['personal'] ? { scope: 'User' as const } : {}),
      });
      reportWrite(ctx, created, 'Created', 'rule');
    });

  rule
    .command('list')
    .description('List rules by name.')
    .option('--environment <id>', 'only the rules of this environment')
    .action(async (opts: { environment?: string }, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const rules = await ctx.client.rules.list(opts.environment ? { environment_id: opts.environment } : {});
      printList(ctx, rules, 'rules', 'No rules. Create one with: ambit rule create --name <name> --content <text>', [
        ['APPLIES TO', (r) => r.environment_id ?? 'all runs'],
        ['ON', (r) => (r.enabled ? 'yes' : 'no')],
        ['CONTENT', (r) => truncate(r.content.replace(/\s+/g, ' '), 50)],
      ]);
    });

  rule
    .command('get')
    .description('Show one rule.')
    .argument('<id|name>', 'rule id or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const r = await find(ctx, ref);
      printObject(ctx, 'Rule', r, [
        ['Name', r.name],
        ['Applies to', r.environment_id ?? 'all runs'],
        ['Enabled', r.enabled ? 'yes' : 'no'],
        ['Scope', r.scope.type === 'User' ? 'personal' : 'team'],
        ['Content', r.content],
      ]);
    });

  rule
    .command('update')
    .description('Change a rule; what is not given stays.')
    .argument('<id|name>', 'rule id or name')
    .option('--name <name>', 'rename it')
    .option('--content <text>', 'new text')
    .option('--environment <id>', 'apply it to this environment only')
    .option('--all-environments', 'apply it to every run of the team')
    .option('--enable', 'switch it on')
    .option('--disable', 'switch it off')
    .action(async (ref: string, opts: Record<string, string | boolean | undefined>, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      if (opts['enable'] && opts['disable']) throw new UsageError('--enable and --disable conflict: give one of them');
      if (opts['environment'] && opts['allEnvironments']) {
        throw new UsageError('--environment and --all-environments conflict: give one of them');
      }
      const request: UpdateRuleRequest = {
        ...(typeof opts['name'] === 'string' ? { name: opts['name'] } : {}),
        ...(typeof opts['content'] === 'string' ? { content: opts['content'] } : {}),
        ...(typeof opts['environment'] === 'string' ? { environment_id: opts['environment'] } : {}),
        ...(opts['allEnvironments'] ? { environment_id: null } : {}),
        ...(opts['enable'] ? { enabled: true } : opts['disable'] ? { enabled: false } : {}),
      };
      if (Object.keys(request).length === 0) {
        throw new UsageError(
          'nothing to change: give --name, --content, --environment, --all-environments, --enable or --disable',
        );
      }
      const target = await find(ctx, ref);
      reportWrite(ctx, await ctx.client.rules.update(target.id, request), 'Updated', 'rule');
    });

  rule
    .command('delete')
    .description('Delete a rule.')
    .argument('<id|name>', 'rule id or name')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandContext(cmd, io, state);
      const target = await find(ctx, ref);
      await ctx.client.rules.delete(target.id);
      reportDeleted(ctx, target, 'rule');
    });
}
