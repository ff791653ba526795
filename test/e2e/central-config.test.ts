/**
 * Central configuration end to end, on real parts (PostgreSQL, Temporal, workers, the Docker engine): team rules,
 * the team's base prompt and the repository's AGENTS.md files reach the instructions the model receives; a saved
 * prompt with parameters becomes the run's prompt and the run records its version; an MCP server object named by a
 * run is started and its tool called.
 */
import path from 'node:path';
import { runAmbit } from '../cli/spawn-cli';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { BUSYBOX_IMAGE, connectDocker, ensureTestImages } from '../helpers/docker';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];
const EVERYTHING = path.resolve(__dirname, '../../node_modules/@modelcontextprotocol/server-everything/dist/index.js');

describe('central configuration reaches runs', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;

  const ok = async (method: string, route: string, body?: unknown) => {
    const r = await platform.request(method, route, body);
    if (r.status >= 300) throw new Error(`${method} ${route} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const run = async (body: Record<string, unknown>) => {
    const created = await ok('POST', '/agent/runs', body);
    return platform.waitForState(created.run_id as string, TERMINAL, 120_000);
  };

  beforeAll(async () => {
    await ensureTestImages(await connectDocker());
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: {
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        AMBIT_DEFAULT_MODEL: 'openai-compatible/platform-default',
        AMBIT_DOCKER: 'on',
        ...(process.env['DOCKER_HOST'] ? { DOCKER_HOST: process.env['DOCKER_HOST'] } : {}),
      },
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
  });

  test('the base prompt, team-wide and environment rules, and AGENTS.md (root and subfolder) reach the model', async () => {
    const env = await ok('POST', '/environments', {
      name: 'with-agents-md',
      docker_image: BUSYBOX_IMAGE,
      setup_commands: [
        "printf 'ROOT-AGENTS: run make check before answering.\\n' > /workspace/AGENTS.md",
        "mkdir -p /workspace/web && printf 'WEB-AGENTS: use tabs in web/.\\n' > /workspace/web/AGENTS.md",
      ],
    });
    const otherEnv = await ok('POST', '/environments', { name: 'other', docker_image: BUSYBOX_IMAGE });
    await ok('PATCH', '/team/settings', {
      base_prompt: 'TEAM-BASE: you work for Acme.',
      default_model_id: 'openai-compatible/team-model',
    });
    await ok('POST', '/rules', { name: 'no-force-push', content: 'RULE-TEAM: never force-push.' });
    await ok('POST', '/rules', { name: 'env-rule', content: 'RULE-ENV: this env only.', environment_id: env.id });
    await ok('POST', '/rules', {
      name: 'other-rule',
      content: 'RULE-OTHER: not for you.',
      environment_id: otherEnv.id,
    });
    await ok('POST', '/rules', { name: 'disabled', content: 'RULE-DISABLED: off.', enabled: false });
    models.addScript('rules', [{ text: 'done' }]);

    const result = await run({ prompt: 'Look around [script:rules]', config: { environment_id: env.id } });

    expect(result.state).toBe('SUCCEEDED');
    const request = JSON.stringify(models.callsFor('rules')[0]?.body);
    for (const expected of ['TEAM-BASE', 'RULE-TEAM', 'RULE-ENV', 'ROOT-AGENTS', 'WEB-AGENTS']) {
      expect(request).toContain(expected);
    }
    expect(request).not.toContain('RULE-OTHER');
    expect(request).not.toContain('RULE-DISABLED');
    // Root AGENTS.md before the subfolder's; rules before repository instructions.
    expect(request.indexOf('RULE-TEAM')).toBeLessThan(request.indexOf('ROOT-AGENTS'));
    expect(request.indexOf('ROOT-AGENTS')).toBeLessThan(request.indexOf('WEB-AGENTS'));
    // The run's resolved config says what was used and where it came from.
    expect(models.callsFor('rules')[0]?.body).toMatchObject({ model: 'team-model' });
    expect(result.agent_config).toMatchObject({
      model_id: 'openai-compatible/team-model',
      base_prompt: 'TEAM-BASE: you work for Acme.',
      rules: [
        { name: 'no-force-push', content: 'RULE-TEAM: never force-push.' },
        { name: 'env-rule', content: 'RULE-ENV: this env only.' },
      ],
      project_instructions: [
        { path: 'AGENTS.md', content: 'ROOT-AGENTS: run make check before answering.\n' },
        { path: 'web/AGENTS.md', content: 'WEB-AGENTS: use tabs in web/.\n' },
      ],
      config_sources: { model_id: 'team', base_prompt: 'team', environment_id: 'request' },
    });
    await ok('PATCH', '/team/settings', { base_prompt: null, default_model_id: null });
  });

  test('a saved prompt with parameters is rendered into the run, which records the version it used', async () => {
    const prompt = await ok('POST', '/prompts', {
      name: 'fix-tests',
      template: 'Fix the tests in {{dir}} [script:{{script}}]',
      parameters: [{ name: 'dir' }, { name: 'script' }],
    });
    await ok('PATCH', `/prompts/${prompt.id}`, {
      template: 'V2: fix {{dir}} [script:{{script}}]',
      parameters: [{ name: 'dir' }, { name: 'script' }],
    });
    models.addScript('saved-v2', [{ text: 'fixed' }]);
    models.addScript('saved-v1', [{ text: 'fixed' }]);

    const latest = await run({
      config: { saved_prompt: { name: 'fix-tests', params: { dir: 'src/auth', script: 'saved-v2' } } },
    });
    const pinned = await run({
      config: { saved_prompt: { name: 'fix-tests', version: 1, params: { dir: 'lib', script: 'saved-v1' } } },
    });

    expect([latest.state, pinned.state]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(latest.prompt).toBe('V2: fix src/auth [script:saved-v2]');
    expect(latest.agent_config.saved_prompt).toEqual({
      name: 'fix-tests',
      id: prompt.id,
      version: 2,
      params: { dir: 'src/auth', script: 'saved-v2' },
    });
    expect(pinned.agent_config.saved_prompt).toMatchObject({ version: 1 });
    expect(JSON.stringify(models.callsFor('saved-v1')[0]?.body)).toContain('Fix the tests in lib');
    expect(JSON.stringify(models.callsFor('saved-v2')[0]?.body)).toContain('V2: fix src/auth');
  });

  test('an MCP server object named by a run is expanded, started and its tool called', async () => {
    await ok('POST', '/mcp-servers', {
      name: 'everything',
      description: 'the MCP reference server',
      spec: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
    });
    models.addScript('mcp-object', [
      { toolCalls: [{ name: 'mcp__tools__get-sum', input: { a: 40, b: 2 } }] },
      { text: 'The sum is 42.' },
    ]);

    const result = await run({
      prompt: 'Add [script:mcp-object]',
      config: { mcp_servers: { tools: { ref: 'everything' } } },
    });

    expect(result.state).toBe('SUCCEEDED');
    expect(result.agent_config.mcp_servers).toEqual({
      tools: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
    });
    expect(result.agent_config.config_sources.mcp_servers).toEqual({ tools: 'request' });
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId: result.run_id } });
    expect(call).toMatchObject({ name: 'mcp__tools__get-sum', state: 'completed' });
    expect(JSON.stringify(models.callsFor('mcp-object')[1]?.body)).toContain('42');
  });
  test("variable sets reach the environment: the environment's sets, then the run's, under its own env", async () => {
    const env = await ok('POST', '/environments', {
      name: 'with-vars',
      docker_image: BUSYBOX_IMAGE,
      env: { OWN: 'from-env', SHARED: 'env-wins' },
    });
    await ok('POST', '/vars', { name: 'base', vars: { BASE: 'from-base', SHARED: 'base', LAYER: 'base' } });
    await ok('POST', '/vars', { name: 'ci', vars: { LAYER: 'from-run-set' } });
    await ok('PUT', `/environments/${env.id}/var-sets`, { var_set_ids: ['base'] });
    models.addScript('vars', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'echo "$OWN $BASE $SHARED $LAYER"' } }] },
      { text: 'read them' },
    ]);

    const result = await run({ prompt: 'Vars [script:vars]', config: { environment_id: env.id, var_sets: ['ci'] } });

    expect(result.state).toBe('SUCCEEDED');
    expect(result.agent_config.vars).toEqual({ BASE: 'from-base', SHARED: 'base', LAYER: 'from-run-set' });
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId: result.run_id } });
    expect((call.output as { stdout: string }).stdout).toBe('from-env from-base env-wins from-run-set\n');
  });
  test('secret references in an MCP server object are resolved only where the server starts', async () => {
    const value = 'mcp-secret-value-8f2a41c9';
    await ok('POST', '/secrets', { name: 'MCP_TEST_TOKEN', value });
    await ok('POST', '/mcp-servers', {
      name: 'with-secret',
      spec: {
        command: process.execPath,
        args: [EVERYTHING, 'stdio'],
        env: { ECHO_TOKEN: { secret: 'MCP_TEST_TOKEN' } },
      },
    });
    models.addScript('mcp-secret', [{ toolCalls: [{ name: 'mcp__s__get-env', input: {} }] }, { text: 'seen' }]);

    const result = await run({
      prompt: 'Env [script:mcp-secret]',
      config: { mcp_servers: { s: { ref: 'with-secret' } } },
    });

    expect(result.state).toBe('SUCCEEDED');
    // The run's record keeps the reference; the server saw a value (redacted from everything recorded).
    expect(result.agent_config.mcp_servers.s.env).toEqual({ ECHO_TOKEN: { secret: 'MCP_TEST_TOKEN' } });
    const call = await platform.database.db.toolCall.findFirstOrThrow({ where: { runId: result.run_id } });
    expect(call.state).toBe('completed');
    const output = JSON.stringify(call.output);
    expect(output).toContain('ECHO_TOKEN');
    expect(output).not.toContain(value);
    expect(JSON.stringify(models.callsFor('mcp-secret'))).not.toContain(value);
  });
  test('the CLI manages the objects and starts a run from a saved prompt with --param', async () => {
    const env = { AMBIT_API_URL: platform.api.url, AMBIT_API_KEY: platform.apiKey };
    const cli = async (...args: string[]) => {
      const r = await runAmbit(args, env, 60_000);
      if (r.code !== 0) throw new Error(`ambit ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    await cli('rule', 'create', '--name', 'cli-rule', '--content', 'RULE-FROM-CLI', '-o', 'json');
    await cli('rule', 'update', 'cli-rule', '--disable');
    const rules = JSON.parse(await cli('rule', 'list', '-o', 'json')) as {
      rules: { name: string; enabled: boolean }[];
    };
    expect(rules.rules.find((r) => r.name === 'cli-rule')).toMatchObject({ enabled: false });
    await cli(
      'prompt',
      'create',
      '--name',
      'cli-prompt',
      '--template',
      'Check {{thing}} [script:cli-saved]',
      '--param-def',
      'thing',
    );
    models.addScript('cli-saved', [{ text: 'checked' }]);

    const created = JSON.parse(
      await cli('run', '--saved-prompt', 'cli-prompt', '--param', 'thing=the-logs', '--wait', '-o', 'json'),
    ) as { run_id: string; state: string; prompt: string; agent_config: { saved_prompt: unknown } };

    expect(created).toMatchObject({ state: 'SUCCEEDED', prompt: 'Check the-logs [script:cli-saved]' });
    expect(created.agent_config.saved_prompt).toMatchObject({ name: 'cli-prompt', version: 1 });
    const usage = await runAmbit(['run', '--saved-prompt', 'cli-prompt', '--param', 'oops'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--param needs KEY=VALUE/);
  });
});
