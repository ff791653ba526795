import { Command, CommanderError, Option } from 'commander';
import { CLIENT_VERSION } from '../client';
import { registerAttachCommand } from './commands/attach';
import { registerApiKeyCommands } from './commands/api-key';
import { registerAuditCommands } from './commands/audit';
import { registerAgentCommands } from './commands/agent';
import { registerEnvironmentCommands } from './commands/environment';
import { registerMemberCommands } from './commands/member';
import { registerMcpCommands } from './commands/mcp';
import { registerPromptCommands } from './commands/prompt';
import { registerRuleCommands } from './commands/rule';
import { registerTeamCommands } from './commands/team';
import { registerVarsCommands } from './commands/vars';
import { registerHostsCommands } from './commands/hosts';
import { registerModelsCommands } from './commands/models';
import { registerRunCommand } from './commands/run';
import { registerRunsCommands } from './commands/runs';
import { registerScheduleCommands } from './commands/schedule';
import { registerSecretCommands } from './commands/secret';
import { registerIntegrationCommands } from './commands/integration';
import { registerWorkerCommand } from './commands/worker';
import { type CliIO, type CliState, newState } from './context';
import { describeError, EXIT_USAGE } from './errors';
import { DEFAULT_API_URL, OUTPUT_FORMATS } from './flags';

const OVERVIEW = `
Environment:
  AMBIT_API_URL   server to talk to (default ${DEFAULT_API_URL}); --api-url wins
  AMBIT_API_KEY   API key sent as a bearer token; --api-key wins
  NO_COLOR        set to turn colours off

Examples:
  $ ambit run "Fix the failing test in src/auth" --follow
  $ ambit runs list --state FAILED
  $ ambit runs get run_123 -o json
  $ ambit models list
  $ ambit environment create --name api --docker-image node:22-bookworm --repo acme/api

Exit codes: 0 success, 1 API error or a run that did not succeed, 2 usage error, 130 interrupted.`;

export function buildProgram(io: CliIO, state: CliState): Command {
  const program = new Command('ambit')
    .description('Start and watch Ambit agent runs (the Oz Agent API, self-hosted).')
    .version(CLIENT_VERSION, '-V, --version')
    .option('--api-url <url>', `Ambit server URL (env AMBIT_API_URL, default ${DEFAULT_API_URL})`)
    .option('--api-key <key>', 'API key (env AMBIT_API_KEY)')
    .addOption(
      new Option('-o, --output-format <format>', `output format: ${OUTPUT_FORMATS.join(', ')} (default pretty)`),
    )
    .option('--timeout <seconds>', 'per-request timeout (default 60)')
    .addHelpText('after', OVERVIEW)
    .showHelpAfterError('(add --help for usage and examples)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error:/, 'Error:')),
    })
    .exitOverride();
  registerRunCommand(program, io, state);
  registerRunsCommands(program, io, state);
  registerAttachCommand(program, io, state);
  registerModelsCommands(program, io, state);
  registerHostsCommands(program, io, state);
  registerEnvironmentCommands(program, io, state);
  registerApiKeyCommands(program, io, state);
  registerMemberCommands(program, io, state);
  registerAuditCommands(program, io, state);
  registerTeamCommands(program, io, state);
  registerRuleCommands(program, io, state);
  registerPromptCommands(program, io, state);
  registerMcpCommands(program, io, state);
  registerVarsCommands(program, io, state);
  registerAgentCommands(program, io, state);
  registerScheduleCommands(program, io, state);
  registerSecretCommands(program, io, state);
  registerIntegrationCommands(program, io, state);
  registerWorkerCommand(program, io, state);
  // Subcommands inherit output settings and error handling from the root.
  for (const cmd of allCommands(program)) {
    cmd.exitOverride().showHelpAfterError('(add --help for usage and examples)');
    cmd.configureOutput(program.configureOutput());
  }
  return program;
}

function allCommands(cmd: Command): Command[] {
  return cmd.commands.flatMap((c) => [c, ...allCommands(c)]);
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const state = newState(io.env);
  const program = buildProgram(io, state);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    const { line, exitCode } = describeError(err, state.errors);
    io.stderr.write(`${scrub(line, state.apiKey)}\n`);
    return exitCode;
  }
}

function scrub(text: string, secret: string | undefined): string {
  return secret && secret.length >= 4 ? text.split(secret).join('[redacted]') : text;
}
