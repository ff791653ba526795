/** The pure parts of config resolution: layer precedence, saved prompt templates, instructions, AGENTS.md order. */
import {
  composeInstructions,
  mergeVars,
  orderAgentsFiles,
  parseSkillFile,
  parseSkillSpec,
  renderTemplate,
  resolveLayers,
  TemplateError,
  undeclaredPlaceholders,
  type ConfigLayer,
  type LayerConfig,
} from '../../src/domain';

const layer = (source: ConfigLayer['source'], config: LayerConfig): ConfigLayer => ({ source, config });

describe('resolveLayers: run request > schedule/integration > environment > team defaults', () => {
  const team = layer('team', {
    model_id: 'openai/team',
    base_prompt: 'team prompt',
    environment_id: 'env_team',
    worker_host: 'team-host',
    max_turns: 10,
    run_timeout_minutes: 30,
  });
  const environment = layer('environment', { model_id: 'openai/env', worker_host: 'env-host' });
  const trigger = layer('trigger', { model_id: 'openai/trigger', base_prompt: 'trigger prompt' });
  const request = layer('request', { model_id: 'openai/request' });

  it.each([
    ['team only', [team], { model_id: 'openai/team', worker_host: 'team-host', base_prompt: 'team prompt' }, 'team'],
    ['environment over team', [team, environment], { model_id: 'openai/env', worker_host: 'env-host' }, 'environment'],
    ['trigger over environment', [team, environment, trigger], { model_id: 'openai/trigger' }, 'trigger'],
    ['request over everything', [team, environment, trigger, request], { model_id: 'openai/request' }, 'request'],
    ['given out of order', [request, team, trigger, environment], { model_id: 'openai/request' }, 'request'],
  ])('%s', (_name, layers, expected, modelSource) => {
    const { values, sources } = resolveLayers(layers);
    expect(values).toMatchObject(expected);
    expect(sources.model_id).toBe(modelSource);
  });

  it('takes each field from the highest layer that sets it, field by field', () => {
    const { values, sources } = resolveLayers([team, environment, trigger, request]);
    expect(values).toMatchObject({
      model_id: 'openai/request',
      base_prompt: 'trigger prompt',
      worker_host: 'env-host',
      environment_id: 'env_team',
      max_turns: 10,
      run_timeout_minutes: 30,
    });
    expect(sources).toMatchObject({
      model_id: 'request',
      base_prompt: 'trigger',
      worker_host: 'environment',
      environment_id: 'team',
      max_turns: 'team',
    });
    expect(values.idle_timeout_minutes).toBeUndefined();
    expect(sources.idle_timeout_minutes).toBeUndefined();
  });

  it('merges MCP servers by name (a higher layer replaces a server of the same name) and stacks var sets', () => {
    const { values, sources } = resolveLayers([
      layer('team', {
        mcp_servers: { shared: { ref: 'team-one' }, docs: { url: 'https://docs' } },
        var_sets: ['base'],
      }),
      layer('request', { mcp_servers: { shared: { ref: 'mine' } }, var_sets: ['ci', 'base'] }),
    ]);
    expect(values.mcp_servers).toEqual({ shared: { ref: 'mine' }, docs: { url: 'https://docs' } });
    expect(sources.mcp_servers).toEqual({ shared: 'request', docs: 'team' });
    expect(values.var_sets).toEqual(['base', 'ci']);
  });

  it('a later variable set wins', () => {
    expect(mergeVars([{ A: '1', B: '1' }, { B: '2' }])).toEqual({ A: '1', B: '2' });
  });
});

describe('saved prompt templates', () => {
  const parameters = [{ name: 'file' }, { name: 'tone', default: 'brief' }, { name: 'extra', required: false }];

  it('fills placeholders from params, then defaults; optional params without a value become empty', () => {
    expect(renderTemplate('Fix {{file}} ({{ tone }}){{extra}}', parameters, { file: 'a.ts' })).toBe('Fix a.ts (brief)');
    expect(renderTemplate('Fix {{file}} ({{tone}})', parameters, { file: 'a.ts', tone: 'thorough' })).toBe(
      'Fix a.ts (thorough)',
    );
  });

  it('names every missing and unknown parameter', () => {
    expect(() => renderTemplate('{{file}}', parameters, { fiel: 'x' })).toThrow(TemplateError);
    expect(() => renderTemplate('{{file}}', parameters, { fiel: 'x' })).toThrow(
      'unknown parameter fiel (declared: file, tone, extra); missing required parameter file',
    );
  });

  it('finds placeholders that are not declared', () => {
    expect(undeclaredPlaceholders('{{file}} {{ line }} {{line}}', parameters)).toEqual(['line']);
  });
});

describe('instructions the model receives', () => {
  it('are the platform instructions, the base prompt, the rules, then the AGENTS.md files, each labelled', () => {
    const text = composeInstructions('PLATFORM', {
      base_prompt: 'BASE',
      rules: [{ name: 'no-force-push', content: 'Never force-push.' }],
      project_instructions: [{ path: 'AGENTS.md', content: 'Run npm test.\n' }],
    });
    expect(text).toBe(
      'PLATFORM\n\nBASE\n\n# Team rules (always follow these)\n\n## no-force-push\nNever force-push.' +
        '\n\n# Repository instructions (AGENTS.md)\n\n## AGENTS.md\nRun npm test.',
    );
    expect(composeInstructions('PLATFORM', {})).toBe('PLATFORM');
  });

  it('orders AGENTS.md files root first, then by depth and name, skipping dependencies', () => {
    expect(
      orderAgentsFiles([
        'web/src/AGENTS.md',
        'api/AGENTS.md',
        'node_modules/x/AGENTS.md',
        'AGENTS.md',
        'README.md',
        'NOT_AGENTS.md',
        'web/AGENTS.md',
      ]),
    ).toEqual(['AGENTS.md', 'api/AGENTS.md', 'web/AGENTS.md', 'web/src/AGENTS.md']);
  });
});

describe('skills', () => {
  it('parses SKILL.md front matter and instructions', () => {
    expect(parseSkillFile('---\nname: deploy\ndescription: "Ship it"\n---\nRun the deploy script.\n', 'x')).toEqual({
      name: 'deploy',
      description: 'Ship it',
      instructions: 'Run the deploy script.',
    });
    expect(() => parseSkillFile('no front matter', 'x')).toThrow(/front matter/);
    expect(() => parseSkillFile('---\nname: a\n---\nbody', 'x')).toThrow(/description/);
  });

  it('splits owner/repo:path specs and refuses paths that climb out', () => {
    expect(parseSkillSpec('acme/api:.claude/skills/deploy/SKILL.md')).toEqual({
      owner: 'acme',
      repo: 'api',
      path: '.claude/skills/deploy/SKILL.md',
    });
    expect(parseSkillSpec('acme/api:../x/SKILL.md')).toBeUndefined();
    expect(parseSkillSpec('nonsense')).toBeUndefined();
  });
});
