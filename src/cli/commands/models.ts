import { type Command } from 'commander';
import { type CliIO, type CliState, commandContext } from '../context';

export function registerModelsCommands(program: Command, io: CliIO, state: CliState): void {
  const models = program.command('models').description('Models runs can use.');
  models
    .command('list')
    .description('List the models available to runs; the default one is marked.')
    .addHelpText('after', '\nExamples:\n  $ ambit models list\n  $ ambit models list -o json')
    .action(async (_opts: unknown, cmd: Command) => {
      const { client, out } = commandContext(cmd, io, state);
      const list = await client.models.list();
      if (out.format === 'json') return out.json(list);
      if (out.format === 'ndjson') {
        for (const m of list.models) out.json({ ...m, default: m.id === list.default_model_id });
        return;
      }
      out.table(
        ['MODEL ID', 'NAME', 'PROVIDER', 'VISION', 'DEFAULT'],
        list.models.map((m) => [
          m.id,
          m.display_name,
          m.provider,
          m.vision_supported ? 'yes' : 'no',
          m.id === list.default_model_id
            ? out.paint('green', 'default')
            : m.disable_reason
              ? `(${m.disable_reason})`
              : '',
        ]),
      );
    });
}
