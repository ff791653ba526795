/** Entry point of the `ambit` CLI: wires the process to `runCli` and exits with its code. */
import { loadCliEnv } from '../config/cli';
import { runCli } from './program';

const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: loadCliEnv(),
  signal: interrupt.signal,
}).then((code) => {
  process.exitCode = code;
});
