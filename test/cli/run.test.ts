import { type ConversationMessage } from '../../src/client';
import { startContractServer, type ContractServer, type RunFrame } from '../helpers/contract-server';
import { lines, runAmbit } from './spawn-cli';

const KEY = 'cli-run-key-5f2c9a7e1b3d';

const say = (text: string): ConversationMessage => ({ role: 'assistant', content: [{ type: 'text', text }] });
const call = (id: string, command: string): ConversationMessage => ({
  role: 'assistant',
  content: [{ type: 'action', id, category: 'command', name: 'run_command', input: { command } }],
});
const result = (id: string, state: 'completed' | 'failed'): ConversationMessage => ({
  role: 'tool',
  content: [{ type: 'action_result', action_id: id, category: 'command', name: 'run_command', state, output: {} }],
});

/** The CLI reads the run once right after creating it (for the link); the frames after that are what it follows. */
const life = (...frames: RunFrame[]): RunFrame[] => [{}, ...frames];

describe('ambit run', () => {
  let server: ContractServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startContractServer({ apiKey: KEY });
    env = { AMBIT_API_URL: server.url, AMBIT_API_KEY: KEY };
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  test('prints the run id and its link, and sends the flags as a RunAgentRequest from the CLI', async () => {
    const res = await runAmbit(
      [
        'run',
        'Fix the failing test',
        '--model',
        'openai/gpt-4o-mini',
        '--environment',
        'env_1',
        '--name',
        'nightly',
        '--title',
        'Fix tests',
        '--personal',
        '--mcp',
        'files={"command":"npx","args":["-y","@modelcontextprotocol/server-filesystem","/tmp"]}',
        '-o',
        'text',
      ],
      env,
    );

    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(lines(res.stdout)).toEqual(['run_0001', `${server.url}/runs/run_0001`]);
    const create = server.requests.find((r) => r.method === 'POST')!;
    expect(create.body).toEqual({
      prompt: 'Fix the failing test',
      source: 'CLI',
      title: 'Fix tests',
      team: false,
      config: {
        model_id: 'openai/gpt-4o-mini',
        environment_id: 'env_1',
        name: 'nightly',
        mcp_servers: {
          files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
        },
      },
    });
  });

  test('pretty output names the run and shows the link', async () => {
    const res = await runAmbit(['run', 'Hello', '--team'], env);

    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Run run_0001 created');
    expect(res.stdout).toContain(`View: ${server.url}/runs/run_0001`);
    expect(server.requests.find((r) => r.method === 'POST')?.body).toMatchObject({ team: true });
  });

  test('--follow prints each state change and each new transcript step once, then exits 0 on SUCCEEDED', async () => {
    server.scriptNextRun(
      life(
        { state: 'PENDING' },
        { state: 'INPROGRESS', messages: [say('Looking at the tests.'), call('a1', 'npm test')] },
        {},
        { messages: [result('a1', 'failed'), call('a2', 'npm test -- --fix')] },
        { messages: [result('a2', 'completed')] },
        { state: 'SUCCEEDED', messages: [say('All green now.')] },
      ),
    );

    const res = await runAmbit(['run', 'Fix tests', '--follow', '--poll-interval-ms', '50'], env);

    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = lines(res.stdout);
    expect(out.slice(2)).toEqual([
      '● PENDING',
      '● INPROGRESS',
      'Looking at the tests.',
      '→ run_command {"command":"npm test"}',
      '✗ run_command (failed)',
      '→ run_command {"command":"npm test -- --fix"}',
      '✓ run_command',
      'All green now.',
      '✓ Run run_0001 SUCCEEDED',
    ]);
  });

  test.each(['FAILED', 'ERROR', 'CANCELLED'] as const)(
    '--follow exits 1 when the run ends %s and prints its status message',
    async (state) => {
      server.scriptNextRun(
        life(
          { state: 'INPROGRESS' },
          { state, status_message: { message: `the run ended ${state.toLowerCase()}`, error_code: 'x' } },
        ),
      );

      const res = await runAmbit(['run', 'Break', '--follow', '--poll-interval-ms', '50', '-o', 'text'], env);

      expect(res.code).toBe(1);
      expect(lines(res.stdout).slice(2)).toEqual([
        'state: INPROGRESS',
        `state: ${state}: the run ended ${state.toLowerCase()}`,
      ]);
    },
  );

  test('--wait -o json prints one JSON document: the final run', async () => {
    server.scriptNextRun(life({ state: 'INPROGRESS' }, { state: 'SUCCEEDED' }));

    const res = await runAmbit(['run', 'Quiet', '--wait', '--poll-interval-ms', '50', '-o', 'json'], env);

    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout) as { run_id: string; state: string; session_link: string };
    expect(doc).toMatchObject({ run_id: 'run_0001', state: 'SUCCEEDED', session_link: `${server.url}/runs/run_0001` });
    // --wait polls the run only, never the conversation.
    expect(server.requests.some((r) => r.path.endsWith('/conversation'))).toBe(false);
  });

  test('--follow -o ndjson prints one JSON event per line', async () => {
    server.scriptNextRun(
      life(
        { state: 'INPROGRESS', messages: [call('a1', 'ls')] },
        { messages: [result('a1', 'completed')] },
        { state: 'FAILED', status_message: { message: 'budget exceeded', error_code: 'budget_exceeded' } },
      ),
    );

    const res = await runAmbit(['run', 'Events', '--follow', '--poll-interval-ms', '50', '-o', 'ndjson'], env);

    expect(res.code).toBe(1);
    const events = lines(res.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e['type'])).toEqual([
      'run.created',
      'run.state',
      'action',
      'action_result',
      'run.finished',
    ]);
    expect(events[0]).toEqual({
      type: 'run.created',
      run_id: 'run_0001',
      state: 'QUEUED',
      session_link: `${server.url}/runs/run_0001`,
    });
    expect(events[2]).toMatchObject({ id: 'a1', name: 'run_command', input: { command: 'ls' } });
    expect(events[4]).toMatchObject({ state: 'FAILED', status_message: { message: 'budget exceeded' } });
  });

  test.each([
    [['run', 'x', '--team', '--personal'], /--team and --personal conflict/],
    [['run', 'x', '--model', 'gpt4'], /--model must look like <provider>\/<model>.*\(got "gpt4"\)/],
    [['run', 'x', '--mcp', 'files={"url":1}'], /--mcp server "files": needs exactly one of/],
    [['run', 'x', '--mcp', '{"command":"npx"}'], /--mcp got a single server without a name/],
    [['run', '  '], /<prompt> must not be empty/],
    [['run'], /missing required argument 'prompt'/],
    [['run', 'x', '--title', ''], /--title needs a value/],
  ])('usage error %j exits 2 naming the flag, and sends nothing', async (args, message) => {
    const res = await runAmbit(args, env);

    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(/^Error: /);
    expect(res.stdout).toBe('');
    expect(server.requests).toHaveLength(0);
  });
});
