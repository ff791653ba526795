import { spawn } from 'node:child_process';
import { closedPort, startContractServer, type ContractServer } from '../helpers/contract-server';
import { BIN, ROOT, lines, runAmbit, runCommand } from './spawn-cli';

const KEY = 'cli-secret-key-3b7e91c04f6a';

describe('ambit error handling', () => {
  let server: ContractServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startContractServer({ apiKey: KEY });
    env = { AMBIT_API_URL: server.url, AMBIT_API_KEY: KEY };
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  const expectOneErrorLine = (stderr: string): string => {
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    return stderr.trim();
  };

  test('connection refused names the URL and suggests npm start', async () => {
    const port = await closedPort();

    const res = await runAmbit(['runs', 'list'], { AMBIT_API_URL: `http://127.0.0.1:${port}`, AMBIT_API_KEY: KEY });

    expect(res.code).toBe(1);
    expect(expectOneErrorLine(res.stderr)).toBe(
      `Error: cannot reach the Ambit API at http://127.0.0.1:${port} (connection refused). ` +
        'Start it with `npm start`, or point --api-url / AMBIT_API_URL at a running server.',
    );
  });

  test('an API problem is printed as "Error: <title>: <detail>"', async () => {
    const res = await runAmbit(['runs', 'get', 'missing'], env);

    expect(res.code).toBe(1);
    expect(expectOneErrorLine(res.stderr)).toBe('Error: Resource not found: run missing does not exist');
  });

  test('a missing key gets a hint; a wrong key is never printed anywhere', async () => {
    const noKey = await runAmbit(['models', 'list'], { AMBIT_API_URL: server.url });
    const wrongKey = await runAmbit(['models', 'list', '--api-key', 'wrong-key-that-must-stay-secret'], env);

    expect(noKey.code).toBe(1);
    expect(expectOneErrorLine(noKey.stderr)).toBe(
      'Error: Authentication required: send Authorization: Bearer <api key> ' +
        '(no API key was given: set AMBIT_API_KEY or pass --api-key)',
    );
    expect(wrongKey.code).toBe(1);
    expect(expectOneErrorLine(wrongKey.stderr)).toBe(
      'Error: Authentication required: send Authorization: Bearer <api key>',
    );
    expect(wrongKey.stderr + wrongKey.stdout).not.toContain('wrong-key-that-must-stay-secret');
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      undefined,
      'Bearer wrong-key-that-must-stay-secret',
    ]);
  });

  test('the key is not echoed by a usage error, help or a server error', async () => {
    server.inject({ path: '/agent/models', status: 500, times: 3, headers: { 'retry-after-ms': '5' } });

    const results = await Promise.all([
      runAmbit(['models', 'list'], env),
      runAmbit(['--help'], env),
      runAmbit(['runs', 'list', '--limit', 'x'], env),
    ]);

    for (const r of results) expect(r.stdout + r.stderr).not.toContain(KEY);
    expect(results[0].stderr).toBe('Error: Internal error: injected 500\n');
    // Retried twice (the SDK default) before giving up.
    expect(server.requests).toHaveLength(3);
  });

  test('a response that breaks the contract is one clear line', async () => {
    server.inject({ path: '/agent/models', status: 200, body: { models: 'none' } });

    const res = await runAmbit(['models', 'list'], env);

    expect(res.code).toBe(1);
    expect(expectOneErrorLine(res.stderr)).toMatch(
      /^Error: Unexpected response from GET \/api\/v1\/agent\/models: default_model_id: .*models: /,
    );
  });

  test('a server slower than --timeout fails with a timeout message', async () => {
    server.inject({ path: '/agent/models', delayMs: 5000, times: 3 });

    const res = await runAmbit(['models', 'list', '--timeout', '0.2'], env);

    expect(res.code).toBe(1);
    expect(expectOneErrorLine(res.stderr)).toMatch(/did not answer within 0\.2 s/);
  });

  test('--help shows examples for the root and for subcommands, and exits 0', async () => {
    const root = await runAmbit(['--help']);
    const run = await runAmbit(['run', '--help']);
    const list = await runAmbit(['runs', 'list', '--help']);

    expect([root.code, run.code, list.code]).toEqual([0, 0, 0]);
    expect(root.stdout).toContain('AMBIT_API_URL');
    expect(root.stdout).toContain('$ ambit run "Fix the failing test in src/auth" --follow');
    expect(run.stdout).toContain('--follow');
    expect(run.stdout).toContain('Examples:');
    expect(run.stdout).not.toContain('--poll-interval-ms');
    expect(list.stdout).toContain('$ ambit runs list --state FAILED,ERROR');
  });

  test('Ctrl-C while following stops waiting, says the run goes on, and exits 130', async () => {
    server.scriptNextRun([{ state: 'INPROGRESS' }]);
    const child = spawn(process.execPath, [BIN, 'run', 'Long job', '--follow', '--poll-interval-ms', '100'], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const following = new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('● INPROGRESS')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    await following;
    child.kill('SIGINT');
    const code = await exited;

    expect(code).toBe(130);
    expect(stderr).toBe('Stopped waiting; run run_0001 goes on. See it with: ambit runs get run_0001\n');
    expect(server.runs.get('run_0001')?.state).toBe('INPROGRESS');
  });

  test('npm run ambit -- <args> runs the same CLI', async () => {
    const res = await runCommand('npm', ['run', '--silent', 'ambit', '--', 'models', 'list', '-o', 'text'], env);

    expect(res.code).toBe(0);
    expect(lines(res.stdout)[0]).toMatch(/^openai\/gpt-4o-mini\tGPT-4o mini\tOPENAI\tyes\tdefault$/);
  });
});
