import { type RunItem } from '../../src/client';
import { startContractServer, type ContractServer } from '../helpers/contract-server';
import { lines, runAmbit } from './spawn-cli';

const KEY = 'cli-runs-key-8d1e4f0a7c2b';

describe('ambit runs / models', () => {
  let server: ContractServer;
  let env: Record<string, string>;

  beforeAll(async () => {
    server = await startContractServer({ apiKey: KEY });
    env = { AMBIT_API_URL: server.url, AMBIT_API_KEY: KEY };
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    server.addRun({ run_id: 'run_a', state: 'SUCCEEDED', title: 'Alpha', source: 'CLI' });
    server.addRun({ run_id: 'run_b', state: 'FAILED', title: 'Beta', source: 'CLI' });
    server.addRun({ run_id: 'run_c', state: 'INPROGRESS', title: 'Gamma', source: 'API' });
  });

  test('runs list --output-format text prints one tab-separated line per run', async () => {
    const res = await runAmbit(['runs', 'list', '--output-format', 'text'], env);

    expect(res.code).toBe(0);
    expect(lines(res.stdout).map((l) => l.split('\t').slice(0, 4))).toEqual([
      ['run_c', 'INPROGRESS', 'Gamma', 'API'],
      ['run_b', 'FAILED', 'Beta', 'CLI'],
      ['run_a', 'SUCCEEDED', 'Alpha', 'CLI'],
    ]);
  });

  test('runs list passes filters as the API query (repeated state, source, q, name, model, limit)', async () => {
    const res = await runAmbit(
      [
        'runs',
        'list',
        '--state',
        'failed,SUCCEEDED',
        '--state',
        'ERROR',
        '--source',
        'cli',
        '-q',
        'a',
        '--name',
        'nightly',
        '--model',
        'openai/gpt-4o',
        '--limit',
        '5',
        '-o',
        'json',
      ],
      env,
    );

    expect(res.code).toBe(0);
    const q = server.requests[0]!.query;
    expect(q.getAll('state')).toEqual(['FAILED', 'SUCCEEDED', 'ERROR']);
    expect(q.get('source')).toBe('CLI');
    expect(q.get('q')).toBe('a');
    expect(q.get('name')).toBe('nightly');
    expect(q.get('model_id')).toBe('openai/gpt-4o');
    expect(q.get('limit')).toBe('5');
    expect(JSON.parse(res.stdout)).toEqual({ runs: [], page_info: { has_next_page: false } });
  });

  test('runs list json is the whole page, ndjson one run per line', async () => {
    const json = await runAmbit(['runs', 'list', '-o', 'json', '--state', 'FAILED'], env);
    const ndjson = await runAmbit(['runs', 'list', '-o', 'ndjson'], env);

    const page = JSON.parse(json.stdout) as { runs: RunItem[]; page_info: unknown };
    expect(page.runs.map((r) => r.run_id)).toEqual(['run_b']);
    expect(page.page_info).toEqual({ has_next_page: false });
    expect(lines(ndjson.stdout).map((l) => (JSON.parse(l) as RunItem).run_id)).toEqual(['run_c', 'run_b', 'run_a']);
  });

  test('runs list pretty is a table with a header and a hint for the next page', async () => {
    const res = await runAmbit(['runs', 'list', '--limit', '2'], env);

    const out = lines(res.stdout);
    expect(out[0]).toMatch(/^RUN ID\s+STATE\s+TITLE\s+SOURCE\s+UPDATED$/);
    expect(out[1]).toMatch(/^run_c\s+INPROGRESS\s+Gamma\s+API\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(out[3]).toMatch(/^More runs: ambit runs list --cursor \S+$/);
    // Not a TTY: no colour codes.
    expect(res.stdout).not.toContain('\u001b[');
  });

  test('runs get prints the run (pretty fields, or the RunItem as JSON)', async () => {
    server.runs.get('run_b')!.status_message = { message: 'model rejected the request' };

    const pretty = await runAmbit(['runs', 'get', 'run_b'], env);
    const json = await runAmbit(['runs', 'get', 'run_b', '-o', 'json'], env);

    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/^Run run_b$/m);
    expect(pretty.stdout).toMatch(/^ {2}State\s+FAILED$/m);
    expect(pretty.stdout).toMatch(/^ {2}Status\s+model rejected the request$/m);
    expect(pretty.stdout).toContain(`${server.url}/runs/run_b`);
    expect(JSON.parse(json.stdout)).toMatchObject({ run_id: 'run_b', state: 'FAILED', title: 'Beta' });
  });

  test('runs cancel cancels a working run and prints its id; a finished one is one error line and exit 1', async () => {
    const ok = await runAmbit(['runs', 'cancel', 'run_c', '-o', 'text'], env);
    const finished = await runAmbit(['runs', 'cancel', 'run_a'], env);

    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('run_c\n');
    expect(server.runs.get('run_c')?.state).toBe('CANCELLED');
    expect(finished.code).toBe(1);
    expect(finished.stderr).toBe('Error: Invalid request: run run_a is SUCCEEDED and can no longer be cancelled\n');
  });

  test('runs conversation renders the transcript, or emits it as JSON', async () => {
    server.conversations.set('run_a', {
      conversation_id: 'conv_a',
      steps: [
        {
          id: 's',
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'List files' }] },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'Listing.' },
                { type: 'action', id: 'x', category: 'files', name: 'list_files', input: { path: '.' } },
              ],
            },
            {
              role: 'tool',
              content: [
                {
                  type: 'action_result',
                  action_id: 'x',
                  category: 'files',
                  name: 'list_files',
                  state: 'completed',
                  output: { files: 2 },
                },
              ],
            },
          ],
          steps: [],
        },
      ],
    });

    const text = await runAmbit(['runs', 'conversation', 'run_a', '-o', 'text'], env);
    const json = await runAmbit(['runs', 'conversation', 'run_a', '-o', 'json'], env);

    expect(lines(text.stdout)).toEqual(['» List files', 'Listing.', '→ list_files {"path":"."}', '✓ list_files']);
    expect(JSON.parse(json.stdout)).toMatchObject({ conversation_id: 'conv_a' });
  });

  test('models list marks the default model', async () => {
    const pretty = await runAmbit(['models', 'list'], env);
    const ndjson = await runAmbit(['models', 'list', '-o', 'ndjson'], env);

    expect(pretty.stdout).toMatch(/^openai\/gpt-4o-mini\s+GPT-4o mini\s+OPENAI\s+yes\s+default$/m);
    expect(lines(ndjson.stdout).map((l) => JSON.parse(l) as { id: string; default: boolean })).toEqual([
      expect.objectContaining({ id: 'openai/gpt-4o-mini', default: true }),
      expect.objectContaining({ id: 'anthropic/claude-sonnet-4-5', default: false }),
    ]);
  });

  test.each([
    [['runs', 'list', '--limit', '0'], /^Error: --limit must be a whole number from 1 to 500.*\(got "0"\)$/m],
    [['runs', 'list', '--state', 'DONE'], /^Error: --state must be one of QUEUED, .*\(got "DONE"\)$/m],
    [['runs', 'list', '--source', 'fax'], /^Error: --source must be one of API, CLI/m],
    [['runs', 'list', '-o', 'xml'], /^Error: --output-format must be one of pretty, text, json, ndjson/m],
    [['runs', 'list', '--timeout', 'soon'], /^Error: --timeout must be a number of seconds/m],
    [['runs', 'list', '--bogus'], /^Error: unknown option '--bogus'/m],
    [['runs', 'get'], /^Error: missing required argument 'id'/m],
    [['runs', 'list', '--api-url', 'localhost:3000'], /^Error: --api-url must be an absolute http\(s\) URL/m],
  ])('usage error %j exits 2 naming the flag', async (args, message) => {
    const res = await runAmbit(args, env);

    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(server.requests).toHaveLength(0);
  });
});
