import { type Command } from 'commander';
import { z } from 'zod';
import { type MemberItem } from '../../client';
import { ROLES } from '../../services/members/schemas';
import { type CliIO, type CliState, commandContext } from '../context';
import { UsageError } from '../errors';
import { parseFlags } from '../flags';
import { shortTime } from '../output';

const lower = (v: unknown): unknown => (typeof v === 'string' ? v.trim().toLowerCase() : v);
const Role = z.preprocess(lower, z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}, e.g. --role member` }));

const AddFlagsSchema = z.object({
  email: z.email({ error: 'must be an email address, e.g. --email ada@example.com' }).optional(),
  user: z.string().trim().min(1, 'needs a user id').optional(),
  name: z.string().trim().min(1, 'needs a value, e.g. --name "Ada Lovelace"').optional(),
  role: Role.default('member'),
});

function row(m: MemberItem): string[] {
  return [m.user.uid, m.user.display_name, m.user.email ?? '-', m.role, shortTime(m.joined_at)];
}

function print(out: ReturnType<typeof commandContext>['out'], m: MemberItem, verb: string): void {
  if (out.structured) return out.json(m);
  if (out.format === 'text') return out.line(m.user.uid);
  out.line(`${verb} ${m.user.display_name} (${m.user.uid}) as ${m.role}.`);
}

export function registerMemberCommands(program: Command, io: CliIO, state: CliState): void {
  const members = program
    .command('member')
    .alias('members')
    .description('Team members and their roles (admin, member, viewer); admin keys only.');

  members
    .command('list')
    .description('List the team’s members.')
    .action(async (_opts: unknown, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const list = await client.members.list();
      if (out.format === 'json') return out.json(list);
      if (out.format === 'ndjson') return list.members.forEach((m) => out.json(m));
      out.table(['USER ID', 'NAME', 'EMAIL', 'ROLE', 'JOINED'], list.members.map(row));
    });

  members
    .command('add')
    .description('Add a member by email (the user is created when new) or by user id.')
    .option('--email <email>', 'the person’s email')
    .option('--user <user_id>', 'an existing user instead of --email')
    .option('--name <display_name>', 'display name of a new user (default: the email)')
    .option('--role <role>', ROLES.join(', '), 'member')
    .addHelpText(
      'after',
      '\nExamples:\n  $ ambit member add --email ada@example.com --name "Ada Lovelace" --role admin\n' +
        '  $ ambit api-key create --name laptop --user <user id printed above>',
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const flags = parseFlags(AddFlagsSchema, opts, {});
      if ((flags.email === undefined) === (flags.user === undefined)) {
        throw new UsageError('give exactly one of --email (creates the user when new) or --user <user_id>');
      }
      const added = await client.members.add({
        role: flags.role,
        ...(flags.email !== undefined ? { email: flags.email } : {}),
        ...(flags.user !== undefined ? { user_id: flags.user } : {}),
        ...(flags.name !== undefined ? { display_name: flags.name } : {}),
      });
      print(out, added, 'Added');
    });

  members
    .command('update')
    .description('Change a member’s role (the last admin cannot be demoted).')
    .argument('<user_id>', 'the member’s user id')
    .option('--role <role>', ROLES.join(', '))
    .action(async (userId: string, opts: Record<string, unknown>, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const { role } = parseFlags(
        z.object({ role: z.preprocess(lower, z.enum(ROLES, { error: `is required: one of ${ROLES.join(', ')}` })) }),
        opts,
        {},
      );
      print(out, await client.members.update(userId, { role }), 'Updated');
    });

  members
    .command('remove')
    .description('Remove a member; their keys for this team stop working at once.')
    .argument('<user_id>', 'the member’s user id')
    .action(async (userId: string, _opts: unknown, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const res = await client.members.remove(userId);
      if (out.structured) return out.json(res);
      if (out.format === 'text') return out.line(userId);
      out.line(`Removed ${userId} from the team.`);
    });
}
