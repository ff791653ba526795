/**
 * Team settings over real HTTP: read by any member, changed by admins, null clears, fields validated, audited. And
 * skills: SKILL.md files in the environments' repositories (real git), listed in the Oz shape and runnable.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Problem, RunItem, TeamSettings } from '../../src/domain';
import { createTeam, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  expect(res.status).toBe(status);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  return body;
}

describe('team settings API', () => {
  let h: Harness;
  let team: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'settings');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('an admin sets and clears defaults; every member reads them; the change is audited', async () => {
    const env = await h.request<{ id: string }>('POST', '/api/v1/environments', {
      key: team.admin,
      body: { name: 'default-env', docker_image: 'node:22' },
    });
    const set = await h.request<TeamSettings>('PATCH', '/api/v1/team/settings', {
      key: team.admin,
      body: {
        default_model_id: 'openai/gpt-4o',
        base_prompt: 'Be careful.',
        default_environment_id: env.body.id,
        default_worker_host: 'build-1',
        max_turns: 40,
        run_timeout_minutes: 90,
      },
    });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      team_id: team.teamId,
      default_model_id: 'openai/gpt-4o',
      base_prompt: 'Be careful.',
      default_environment_id: env.body.id,
      default_worker_host: 'build-1',
      max_turns: 40,
      run_timeout_minutes: 90,
    });
    const cleared = await h.request<TeamSettings>('PATCH', '/api/v1/team/settings', {
      key: team.team,
      body: { base_prompt: null, max_turns: null },
    });
    expect(cleared.body).toMatchObject({ base_prompt: null, max_turns: null, default_model_id: 'openai/gpt-4o' });
    expect((await h.request<TeamSettings>('GET', '/api/v1/team/settings', { key: team.viewer })).body).toEqual(
      cleared.body,
    );
    const audit = await h.db.auditEvent.findMany({
      where: { teamId: team.teamId, action: 'team.settings_updated' },
      orderBy: { createdAt: 'asc' },
    });
    expect(audit.map((a) => (a.data as { changed: string[] }).changed)).toEqual([
      [
        'default_model_id',
        'base_prompt',
        'default_environment_id',
        'default_worker_host',
        'max_turns',
        'run_timeout_minutes',
      ],
      ['base_prompt', 'max_turns'],
    ]);
  });

  test('members may not change settings; bad values and unknown environments are refused, naming the field', async () => {
    const denied = expectProblem(
      await h.request('PATCH', '/api/v1/team/settings', { key: team.member, body: { max_turns: 5 } }),
      403,
      'not_authorized',
    );
    expect(denied.detail).toBe('members may not change team settings; use an admin API key (or a team key)');
    const bad = expectProblem(
      await h.request('PATCH', '/api/v1/team/settings', {
        key: team.admin,
        body: { default_model_id: 'gpt4', max_turns: 0, colour: 'blue' },
      }),
      400,
      'invalid_request',
    );
    expect(bad.detail).toMatch(/default_model_id: default_model_id must look like/);
    expect(bad.detail).toMatch(/max_turns/);
    expect(bad.detail).toMatch(/colour/);
    expectProblem(
      await h.request('PATCH', '/api/v1/team/settings', { key: team.admin, body: {} }),
      400,
      'invalid_request',
    );
    const missing = expectProblem(
      await h.request('PATCH', '/api/v1/team/settings', {
        key: team.admin,
        body: { default_environment_id: 'env_nope' },
      }),
      404,
      'resource_not_found',
    );
    expect(missing.detail).toMatch(/^default_environment_id: /);
  });
  test("skills in an environment's repository are listed in the Oz shape and a run from one gets its instructions", async () => {
    const repoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-skills-'));
    const work = path.join(repoDir, 'acme', 'tools');
    fs.mkdirSync(path.join(work, 'skills', 'deploy'), { recursive: true });
    fs.mkdirSync(path.join(work, 'skills', 'broken'), { recursive: true });
    fs.writeFileSync(
      path.join(work, 'skills', 'deploy', 'SKILL.md'),
      '---\nname: deploy\ndescription: Ship the service\n---\nRun ./deploy.sh and report the URL.\n',
    );
    fs.writeFileSync(path.join(work, 'skills', 'broken', 'SKILL.md'), 'no front matter\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', work, ...args], {
        env: {
          PATH: process.env['PATH'] ?? '',
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      });
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'skills');
    const env = await h.request<{ id: string }>('POST', '/api/v1/environments', {
      key: team.admin,
      body: { name: 'tools', docker_image: 'node:22', repositories: [`file://${work}`] },
    });
    expect(env.status).toBe(201);

    const listed = await h.request<{ agents: { name: string; variants: Record<string, unknown>[] }[] }>(
      'GET',
      '/api/v1/agent?refresh=true',
      { key: team.member },
    );
    expect(listed.status).toBe(200);
    expect(listed.body.agents).toEqual([
      {
        name: 'deploy',
        variants: [
          {
            id: 'acme/tools:skills/deploy/SKILL.md',
            description: 'Ship the service',
            base_prompt: 'Run ./deploy.sh and report the URL.',
            source: { owner: 'acme', name: 'tools', skill_path: 'skills/deploy/SKILL.md' },
            environments: [{ uid: env.body.id, name: 'tools' }],
          },
        ],
      },
    ]);
    const malformed = await h.request<{ agents: { name: string; variants: { error?: string }[] }[] }>(
      'GET',
      '/api/v1/agent?include_malformed_skills=true',
      { key: team.member },
    );
    expect(malformed.body.agents.find((a) => a.name === 'broken')?.variants[0]?.error).toMatch(/front matter/);

    const run = await h.request<{ run_id: string }>('POST', '/api/v1/agent/runs', {
      key: team.member,
      body: { skill: 'acme/tools:skills/deploy/SKILL.md', prompt: 'Deploy to staging.' },
    });
    expect(run.status).toBe(200);
    const item = await h.request<RunItem>('GET', `/api/v1/agent/runs/${run.body.run_id}`, { key: team.member });
    expect(item.body.prompt).toBe(
      'Use the skill "deploy": Ship the service\n\nRun ./deploy.sh and report the URL.\n\n# Task\n\nDeploy to staging.',
    );
    expect(item.body.agent_config).toMatchObject({ skill_spec: 'acme/tools:skills/deploy/SKILL.md' });
    const missing = expectProblem(
      await h.request('POST', '/api/v1/agent/runs', {
        key: team.member,
        body: { config: { skill_spec: 'acme/tools:skills/nope/SKILL.md' } },
      }),
      400,
      'invalid_request',
    );
    expect(missing.detail).toMatch(/^config\.skill_spec: acme\/tools:skills\/nope\/SKILL\.md could not be read/);
    fs.rmSync(repoDir, { recursive: true, force: true });
  });
});
