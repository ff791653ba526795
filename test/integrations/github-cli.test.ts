/**
 * `ambit integration ...` as a user runs it (the real CLI in a child process) against the real API and the
 * OpenAPI-checked fake GitHub: create registers the webhook, list shows status, update changes settings, delete
 * removes the webhook; secret values come from files, never from the command line, and are never printed.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHarness, createTeam, type Harness, type TeamKeys } from '../api/helpers';
import { runAmbit } from '../cli/spawn-cli';
import { startFakeGithub, type FakeGithub } from '../fixtures/github/fake-github';

describe('ambit integration', () => {
  let h: Harness;
  let team: TeamKeys;
  let github: FakeGithub;
  let dir: string;
  let env: Record<string, string>;
  const token = `ghp_${crypto.randomBytes(10).toString('hex')}`;
  const hookSecret = `hook-${crypto.randomBytes(10).toString('hex')}`;

  beforeAll(async () => {
    github = await startFakeGithub({ token });
    h = await startHarness('postgres', { env: { AMBIT_MASTER_KEY: crypto.randomBytes(32).toString('base64') } });
    team = await createTeam(h.db, 'cli-integration');
    env = { AMBIT_API_URL: h.url, AMBIT_API_KEY: team.admin };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-cli-integration-'));
    fs.writeFileSync(path.join(dir, 'token.txt'), `${token}\n`);
    fs.writeFileSync(path.join(dir, 'hook.txt'), hookSecret);
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await h?.close();
    await github?.close();
  });

  test('create, list, get, update and delete a GitHub integration', async () => {
    const created = await runAmbit(
      [
        'integration',
        'create',
        'github',
        '--name',
        'app',
        '--repo',
        'octo/app',
        '--label',
        'ambit',
        '--github-api-url',
        github.url,
        '--model',
        'openai/gpt-4o',
        '--secret-file',
        `token=${path.join(dir, 'token.txt')}`,
        '--secret-file',
        `webhook_secret=${path.join(dir, 'hook.txt')}`,
        '--output-format',
        'json',
      ],
      env,
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const item = JSON.parse(created.stdout);
    expect(item).toMatchObject({
      type: 'github',
      name: 'app',
      config: { repositories: ['octo/app'], labels: ['ambit'], model_id: 'openai/gpt-4o' },
      secret_refs: { token: 'GITHUB_APP_TOKEN', webhook_secret: 'GITHUB_APP_WEBHOOK_SECRET' },
      status: { state: 'connected', webhook_registered: true },
    });
    const hook = [...github.hooks.values()].find((x) => x.config.url?.endsWith(item.id));
    expect(hook).toMatchObject({ owner: 'octo/app', config: { secret: hookSecret } });
    expect(created.stdout).not.toContain(token);
    expect(created.stdout).not.toContain(hookSecret);

    const listed = await runAmbit(['integration', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/app\s+github\s+int_\w+\s+connected/);

    const updated = await runAmbit(
      ['integration', 'update', 'app', '--label', 'needs-agent', '--output-format', 'json'],
      env,
    );
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout).config.labels).toEqual(['needs-agent']);

    const shown = await runAmbit(['integration', 'get', 'app'], env);
    expect(shown.stdout).toContain(`/api/v1/hooks/${item.id}`);
    expect(shown.stdout).not.toContain(token);

    const deleted = await runAmbit(['integration', 'delete', 'app'], env);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain('Deleted github integration app');
    expect([...github.hooks.values()].filter((x) => x.config.url?.endsWith(item.id))).toEqual([]);
    expect(github.violations).toEqual([]);
  });

  test('bad input names the flag; members may not create integrations', async () => {
    const noRepo = await runAmbit(
      ['integration', 'create', 'github', '--name', 'x', '--secret-file', `token=${path.join(dir, 'token.txt')}`],
      env,
    );
    expect(noRepo.code).not.toBe(0);
    expect(noRepo.stderr).toContain('repositories or organization is required');

    const badType = await runAmbit(['integration', 'create', 'gitlab', '--name', 'x'], env);
    expect(badType.code).not.toBe(0);
    expect(badType.stderr).toContain('<type>');

    const member = await runAmbit(
      [
        'integration',
        'create',
        'webhook',
        '--name',
        'm',
        '--prompt-template',
        'p',
        '--secret-file',
        `webhook_secret=${path.join(dir, 'hook.txt')}`,
      ],
      { ...env, AMBIT_API_KEY: team.member },
    );
    expect(member.code).not.toBe(0);
    expect(member.stderr).toContain('may not create integrations');
  });
});
