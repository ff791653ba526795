/**
 * `ambit attach` as a user runs it: the real CLI in a child process, lines written to its stdin through a pipe (no
 * TTY), against the whole platform (API, worker, PostgreSQL, Temporal) with the scripted model server as provider.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { BIN, ROOT, runAmbit } from './spawn-cli';

const WAIT_MS = 60_000;

/** A running `ambit attach` whose output can be awaited line by line. */
class Session {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string>, command: string[] = [process.execPath, BIN]) {
    this.child = spawn(command[0]!, [...command.slice(1), ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout.on('data', (c: Buffer) => (this.stdout += c.toString()));
    this.child.stderr.on('data', (c: Buffer) => (this.stderr += c.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** Resolves once stdout contains `text` after position `from`; returns the position after it. */
  async waitFor(text: string, from = 0): Promise<number> {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const at = this.stdout.indexOf(text, from);
      if (at >= 0) return at + text.length;
      if (Date.now() > until || this.child.exitCode !== null) {
        throw new Error(
          `attach never printed ${JSON.stringify(text)}\n--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

describe('ambit attach', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let env: Record<string, string>;
  const sessions: Session[] = [];

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
    env = { AMBIT_API_URL: platform.api.url, AMBIT_API_KEY: platform.apiKey };
  });
  afterAll(async () => {
    for (const s of sessions) s.kill();
    await platform?.stop();
    await models?.close();
  });

  const attach = (runId: string) => {
    const session = new Session(['attach', runId], { ...env, NO_COLOR: '1' });
    sessions.push(session);
    return session;
  };

  test('prints the run so far, then interrupts, steers with follow-ups and reads the answers live', async () => {
    models.addScript('at', [
      { gate: 'at-hold', toolCalls: [{ name: 'list_files', input: {} }] },
      { text: 'Listed, briefly.' },
      { text: 'The second execution answers.' },
    ]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Look around [script:at]' });
    const runId: string = created.body.run_id;
    await models.waitForGate('at-hold');

    const s = attach(runId);
    // The timeline so far, replayed from the run's event stream, then the prompt for input.
    let at = await s.waitFor(`Attached to ${runId}`);
    at = await s.waitFor('› Look around [script:at]', at);
    await s.waitFor('● INPROGRESS', at);
    await s.waitFor('/interrupt, /cancel, /quit');

    s.send('/interrupt');
    at = await s.waitFor('Interrupted at turn 1; the agent waits for your next message.');
    at = await s.waitFor('interrupted by admin; waiting for instructions', at);
    at = await s.waitFor('● BLOCKED', at);
    expect(models.callsFor('at')[0]?.aborted).toBe(true);

    s.send('/bogus');
    at = await s.waitFor('Unknown command /bogus.', at);

    models.release('at-hold');
    s.send('List the files, briefly.');
    at = await s.waitFor('Sent; the agent sees it at its next step.', at);
    at = await s.waitFor('→ list_files', at);
    at = await s.waitFor('Listed, briefly.', at);
    at = await s.waitFor('● SUCCEEDED', at);
    at = await s.waitFor('The run ended (SUCCEEDED). Send a message to run it again, or /quit.', at);

    // The run has ended: a message starts its next execution, followed live like the first.
    s.send('And once more.');
    at = await s.waitFor('The run runs again (execution 2).', at);
    at = await s.waitFor('The second execution answers.', at);
    await s.waitFor('The run ended (SUCCEEDED)', at);
    s.send('/quit');
    expect(await s.exited).toBe(0);
    expect(s.stderr).toBe('');

    const calls = models.callsFor('at');
    expect(JSON.stringify(calls.at(-2)?.body)).toContain('List the files, briefly.');
    expect(JSON.stringify(calls.at(-1)?.body)).toContain('And once more.');
  });

  test('piped input: the lines are sent, the answers followed to the end of the run, then it leaves', async () => {
    models.addScript('ap', [{ text: 'First.' }, { text: 'Piped answer.' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Say something [script:ap]' });
    const runId: string = created.body.run_id;
    await platform.waitForState(runId, ['SUCCEEDED']);

    const s = attach(runId);
    await s.waitFor('First.');
    s.send('Now say more.');
    s.child.stdin.end();
    expect(await s.exited).toBe(0);
    const after = s.stdout.indexOf('The run runs again (execution 2).');
    expect(after).toBeGreaterThan(0);
    expect(s.stdout.indexOf('Piped answer.', after)).toBeGreaterThan(after);
    expect((await platform.request('GET', `/agent/runs/${runId}`)).body.state).toBe('SUCCEEDED');
  });

  test('ambit runs interrupt stops the run; /cancel cancels it; an API refusal is printed and the session goes on', async () => {
    models.addScript('ac', [{ gate: 'ac-hold', text: 'never' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Wait [script:ac]' });
    const runId: string = created.body.run_id;
    await models.waitForGate('ac-hold');

    const stopped = await runAmbit(['runs', 'interrupt', runId, '-o', 'json'], env);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout)).toEqual({ run_id: runId, turn: 1, interrupted_by: 'admin' });
    const twice = await runAmbit(['runs', 'interrupt', runId], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already interrupted');

    const s = attach(runId);
    let at = await s.waitFor('● BLOCKED');
    s.send('/cancel');
    at = await s.waitFor('Cancel requested.', at);
    at = await s.waitFor('● CANCELLED', at);
    s.send('/interrupt');
    await s.waitFor('cannot be interrupted: it has ended (state CANCELLED)', at);
    s.send('/quit');
    expect(await s.exited).toBe(0);
    models.release('ac-hold');
  });

  test('on a terminal: colours, a prompt, commands, and Ctrl-C leaves (exit 130) with the run untouched', async () => {
    models.addScript('att', [{ gate: 'att-hold', text: 'never' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'On a terminal [script:att]' });
    const runId: string = created.body.run_id;
    await models.waitForGate('att-hold');
    // util-linux `script` gives the CLI a pseudo-terminal: stdin and stdout are TTYs, and keys arrive as typed.
    const cli = `${process.execPath} ${BIN} attach ${runId}`;
    const s = new Session([], { ...env, TERM: 'xterm' }, ['script', '-qfec', cli, '/dev/null']);
    sessions.push(s);
    let at = await s.waitFor('\u001b[36mINPROGRESS\u001b[39m');
    at = await s.waitFor('› ', at);
    s.child.stdin.write('/help\r');
    await s.waitFor('Commands: /interrupt, /cancel, /quit, /help.', at);
    s.child.stdin.write('\u0003');
    expect(await s.exited).toBe(130);
    expect((await platform.request('GET', `/agent/runs/${runId}`)).body.state).toBe('INPROGRESS');
    models.release('att-hold');
  });

  test('a run waiting for approval says which action and how to decide it', async () => {
    models.addScript('aa', [{ toolCalls: [{ name: 'run_shell_command', input: { command: 'echo gated' } }] }]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Gated [script:aa]',
      config: { approvals: { shell_patterns: ['^echo '] } },
    });
    const runId: string = created.body.run_id;
    await platform.waitForState(runId, ['BLOCKED']);
    const s = attach(runId);
    await s.waitFor(
      `run_shell_command waits for approval (command matches approvals.shell_patterns "^echo "); decide with: ambit runs approve|deny ${runId}`,
    );
    s.send('/cancel');
    await s.waitFor('● CANCELLED');
    s.send('/quit');
    expect(await s.exited).toBe(0);
  });

  test('an unknown run is an error naming it, exit 1', async () => {
    const s = attach('run_does_not_exist');
    expect(await s.exited).toBe(1);
    expect(s.stderr).toContain('run_does_not_exist');
  });
});
