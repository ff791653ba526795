import { type Command } from 'commander';
import { type CliIO, type CliState, commandContext } from '../context';

export function registerHostsCommands(program: Command, io: CliIO, state: CliState): void {
  const hosts = program.command('hosts').description('Execution hosts: where runs execute (ambit worker --host).');
  hosts
    .command('list')
    .description('List the hosts whose workers report: capacity, running runs, last seen, live or offline.')
    .addHelpText('after', '\nExamples:\n  $ ambit hosts list\n  $ ambit hosts list -o json')
    .action(async (_opts: unknown, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const list = await client.hosts.list();
      if (out.format === 'json') return out.json(list);
      if (out.format === 'ndjson') {
        for (const h of list.hosts) out.json(h);
        return;
      }
      if (list.hosts.length === 0) {
        out.line('No host has reported yet: start one with `ambit worker --host <id>`.');
        return;
      }
      out.table(
        ['HOST', 'STATUS', 'RUNNING', 'CAPACITY', 'WORKERS', 'LAST SEEN'],
        list.hosts.map((h) => [
          h.id,
          h.live ? out.paint('green', h.at_capacity ? 'live (full)' : 'live') : out.paint('yellow', 'offline'),
          String(h.running_runs),
          String(h.capacity),
          String(h.workers),
          h.last_seen,
        ]),
      );
    });
}
