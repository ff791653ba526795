/**
 * `ambit run --ci` and the GitHub Action (action.yml) against a real platform (API, workers, Temporal, PostgreSQL;
 * only the model is a scripted local server): the action's own step script runs in bash with the variables GitHub
 * Actions sets, the run carries the job's context (metadata, prompt block, source GITHUB_ACTION) and the failing
 * job's log as an attachment the agent can read; the exit code is the outcome, with outputs and an annotation.
 * action.yml is read with a small reader for the YAML subset it keeps to (no YAML dependency).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';
import { lines, ROOT, runAmbit, runCommand } from './spawn-cli';

type Yaml = string | Yaml[] | { [key: string]: Yaml };

/**
 * Block-style YAML: maps, lists of maps, `|` block scalars, plain and quoted scalars, comments. Anything else
 * (flow collections, anchors, multi-document) throws, which keeps action.yml simple.
 */
export function parseSimpleYaml(text: string): Yaml {
  const rows = text.split('\n').map((raw, i) => ({ raw, n: i + 1 }));
  let pos = 0;
  const indentOf = (s: string) => s.length - s.trimStart().length;
  const skipBlank = () => {
    while (pos < rows.length && /^\s*(#.*)?$/.test(rows[pos]!.raw)) pos++;
  };
  const scalar = (v: string, n: number): string => {
    const t = v.trim();
    if (/^[[{&*!]/.test(t) || t === '---') throw new Error(`line ${n}: unsupported YAML: ${t}`);
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t.startsWith('"')) return JSON.parse(t) as string;
    return t.replace(/\s+#.*$/, '');
  };
  const block = (indent: number): string => {
    const out: string[] = [];
    while (pos < rows.length && (rows[pos]!.raw.trim() === '' || indentOf(rows[pos]!.raw) > indent)) {
      out.push(rows[pos]!.raw);
      pos++;
    }
    const inner = Math.min(...out.filter((l) => l.trim()).map(indentOf));
    return `${out
      .map((l) => l.slice(inner))
      .join('\n')
      .trimEnd()}\n`;
  };
  const value = (rest: string, indent: number, n: number): Yaml => {
    if (rest.trim() === '|') return block(indent);
    if (rest.trim() !== '') return scalar(rest, n);
    skipBlank();
    if (pos >= rows.length || indentOf(rows[pos]!.raw) <= indent) return '';
    return node(indentOf(rows[pos]!.raw));
  };
  const node = (indent: number): Yaml => {
    skipBlank();
    const first = rows[pos]!.raw.trim();
    if (first.startsWith('- ')) {
      const list: Yaml[] = [];
      while (pos < rows.length) {
        skipBlank();
        if (pos >= rows.length || indentOf(rows[pos]!.raw) !== indent || !rows[pos]!.raw.trim().startsWith('- ')) break;
        // A list item is a map whose first key sits after "- ": read it as a map indented two more.
        rows[pos] = { ...rows[pos]!, raw: `${' '.repeat(indent + 2)}${rows[pos]!.raw.trim().slice(2)}` };
        list.push(node(indent + 2));
      }
      return list;
    }
    const map: { [key: string]: Yaml } = {};
    while (pos < rows.length) {
      skipBlank();
      if (pos >= rows.length || indentOf(rows[pos]!.raw) !== indent) break;
      const { raw, n } = rows[pos]!;
      const m = /^\s*([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(raw);
      if (!m) throw new Error(`line ${n}: expected "key: value", got ${raw.trim()}`);
      if (m[1]! in map) throw new Error(`line ${n}: duplicate key ${m[1]}`);
      pos++;
      map[m[1]!] = value(m[2] ?? '', indent, n);
    }
    return map;
  };
  return node(0);
}

const asMap = (v: Yaml | undefined): { [key: string]: Yaml } => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not a map: ${JSON.stringify(v)}`);
  return v;
};

const str = (v: Yaml | undefined): string => {
  if (v !== undefined && typeof v !== 'string') throw new Error(`not a string: ${JSON.stringify(v)}`);
  return v ?? '';
};

const action = asMap(parseSimpleYaml(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')));
const inputs = asMap(action['inputs']);
const steps = asMap(action['runs'])['steps'] as Yaml[];
const runStep = asMap(steps.find((s) => asMap(s)['id'] === 'run'));

describe('action.yml', () => {
  test('is a composite action whose inputs, outputs and steps fit together', () => {
    expect(action['name']).toBe('Ambit agent run');
    expect(typeof action['description']).toBe('string');
    expect(asMap(action['runs'])['using']).toBe('composite');
    for (const [name, spec] of Object.entries(inputs)) {
      expect(typeof asMap(spec)['description']).toBe('string');
      expect(['true', 'false']).toContain(asMap(spec)['required']);
      if (asMap(spec)['required'] === 'false') expect(asMap(spec)).toHaveProperty('default');
      expect(name).toMatch(/^[a-z][a-z-]*$/);
    }
    expect(
      Object.entries(inputs)
        .filter(([, s]) => asMap(s)['required'] === 'true')
        .map(([n]) => n),
    ).toEqual(['prompt', 'api-url', 'api-key']);
    for (const step of steps) expect(asMap(step)['shell']).toBe('bash');
    // Every input an expression names exists; every output comes from the run step.
    const text = fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    for (const [, name] of text.matchAll(/\$\{\{\s*inputs\.([a-z-]+)\s*\}\}/g))
      expect(Object.keys(inputs)).toContain(name);
    for (const [name, spec] of Object.entries(asMap(action['outputs']))) {
      expect(asMap(spec)['value']).toMatch(/^\$\{\{ steps\.run\.outputs\.(run_id|run_url|state) \}\}$/);
      expect(typeof asMap(spec)['description']).toBe('string');
      expect(name).toMatch(/^[a-z-]+$/);
    }
  });

  test('passes inputs to the script through variables only (no expression inside a script)', () => {
    for (const step of steps) expect(str(asMap(step)['run'])).not.toContain('${{');
    const env = asMap(runStep['env']);
    expect(env['AMBIT_API_KEY']).toBe('${{ inputs.api-key }}');
    expect(str(runStep['run'])).toContain('node "$GITHUB_ACTION_PATH/bin/ambit.js" "${args[@]}"');
    expect(str(runStep['run'])).toContain('--ci');
  });
});

describe('ambit run --ci on a real platform', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let dir: string;

  beforeAll(async () => {
    models = await startScriptedModelServer();
    models.addScript('ci-fix', [
      { toolCalls: [{ name: 'read_file', input: { path: 'attachments/build.log' } }] },
      { text: 'The build fails on a missing semicolon.' },
    ]);
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-ci-'));
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The variables GitHub Actions sets for a composite step, and the action's inputs as its env block maps them. */
  function githubEnv(extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/api',
      GITHUB_SHA: '3f2a9c1d4e5b6a7980b1c2d3e4f5a6b7c8d9e0f1',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_ID: '987654321',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_WORKFLOW: 'CI',
      GITHUB_JOB: 'test',
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
      GITHUB_ACTION_PATH: ROOT,
      AMBIT_API_URL: platform.api.url,
      AMBIT_API_KEY: platform.apiKey,
    };
    for (const [name, spec] of Object.entries(inputs)) {
      const fallback = str(asMap(spec)['default']);
      // Defaults that are expressions resolve to the job's own context, as on GitHub.
      const resolved = fallback
        .replace('${{ github.repository }}', env['GITHUB_REPOSITORY']!)
        .replace('${{ github.sha }}', env['GITHUB_SHA']!)
        .replace('${{ github.ref }}', env['GITHUB_REF']!);
      env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] = resolved;
    }
    return { ...env, ...extra };
  }

  test("the action's step starts a run with the job's context and log, waits, and reports success", async () => {
    const log = path.join(dir, 'build.log');
    fs.writeFileSync(log, `${'noise\n'.repeat(100)}src/app.ts(3,1): error TS1005: ';' expected.\n`);
    const res = await runCommand(
      'bash',
      ['-c', str(runStep['run'])],
      githubEnv({ INPUT_PROMPT: 'Find why the build failed [script:ci-fix]', INPUT_LOG_FILE: log }),
      120_000,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const out = lines(res.stdout);
    const runId = /^Run (run_\w+) started: (\S+)$/.exec(out[0]!)?.[1];
    expect(runId).toBeDefined();
    const link = `${platform.config.publicUrl}/runs/${runId}`;
    expect(out[0]).toBe(`Run ${runId} started: ${link}`);
    expect(out).toContain(`Run ${runId} SUCCEEDED: The build fails on a missing semicolon.`);
    expect(out).toContain(`View: ${link}`);
    expect(out[out.length - 1]).toBe(
      `::notice title=Ambit run SUCCEEDED::The build fails on a missing semicolon. (${link})`,
    );
    expect(fs.readFileSync(path.join(dir, 'output'), 'utf8')).toBe(
      `run_id=${runId}\nrun_url=${link}\nstate=SUCCEEDED\n`,
    );
    expect(fs.readFileSync(path.join(dir, 'summary'), 'utf8')).toContain(`[${runId}](${link})`);

    const run = (await platform.request('GET', `/agent/runs/${runId}`)).body;
    expect(run).toMatchObject({
      state: 'SUCCEEDED',
      source: 'GITHUB_ACTION',
      metadata: {
        'ci.provider': 'github-actions',
        'ci.repository': 'acme/api',
        'ci.commit': '3f2a9c1d4e5b6a7980b1c2d3e4f5a6b7c8d9e0f1',
        'ci.ref': 'refs/heads/main',
        'ci.run_url': 'https://github.com/acme/api/actions/runs/987654321',
        'ci.workflow': 'CI',
        'ci.job': 'test',
      },
    });
    expect(run.prompt).toContain('Started from CI:\n- Repository: acme/api\n- Commit: 3f2a9c1d');
    expect(run.prompt).toContain("- Failing job's log: attached as build.log (");
    // The agent read the attached log in its environment: the tool result reached the model.
    const second = JSON.stringify(models.callsFor('ci-fix')[1]?.body);
    expect(second).toContain("error TS1005: ';' expected.");
  });

  test('a run that does not succeed exits 1 with an error annotation and the state output', async () => {
    const res = await runAmbit(
      ['run', 'Use a model that does not exist', '--ci', '--model', 'anthropic/no-such-model'],
      githubEnv(),
      120_000,
    );
    expect(res.code).toBe(1);
    const out = lines(res.stdout);
    const runId = /^Run (run_\w+) started:/.exec(out[0]!)?.[1];
    expect(out.some((l) => l.startsWith(`Run ${runId} FAILED`))).toBe(true);
    expect(out[out.length - 1]).toMatch(/^::error title=Ambit run FAILED::/);
    expect(fs.readFileSync(path.join(dir, 'output'), 'utf8')).toContain('state=FAILED\n');
  });

  test('outside GitHub Actions the context comes from flags, and the source stays CLI', async () => {
    const res = await runAmbit(
      [
        'run',
        'Check the nightly build [script:ci-fix]',
        '--ci',
        '--repository',
        'acme/web',
        '--commit',
        'abc1234',
        '--ref',
        'refs/tags/v1.2.0',
        '--ci-url',
        'https://ci.example.com/builds/42',
        '--metadata',
        'ticket=OPS-12',
      ],
      { AMBIT_API_URL: platform.api.url, AMBIT_API_KEY: platform.apiKey, CI: 'true' },
      120_000,
    );
    expect(res.code).toBe(0);
    expect(res.stdout).not.toContain('::');
    const runId = /^Run (run_\w+) started:/.exec(lines(res.stdout)[0]!)?.[1];
    const run = (await platform.request('GET', `/agent/runs/${runId}`)).body;
    expect(run.source).toBe('CLI');
    expect(run.metadata).toEqual({
      'ci.provider': 'ci',
      'ci.repository': 'acme/web',
      'ci.commit': 'abc1234',
      'ci.ref': 'refs/tags/v1.2.0',
      'ci.run_url': 'https://ci.example.com/builds/42',
      ticket: 'OPS-12',
    });
    expect(run.prompt).toContain('- CI run: https://ci.example.com/builds/42');
  });

  test('an unreadable log file is a usage error before anything is created', async () => {
    const before = (await platform.request('GET', '/agent/runs?limit=100')).body.runs.length;
    const res = await runAmbit(['run', 'x', '--ci', '--log-file', path.join(dir, 'missing.log')], githubEnv());
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--log-file');
    expect(res.stderr).toContain('cannot be read (ENOENT)');
    expect((await platform.request('GET', '/agent/runs?limit=100')).body.runs.length).toBe(before);
  });
});
