/**
 * Opening a pull request for a GitHub-triggered run, on real parts: real git pushes the workspace's branch to a git
 * smart-HTTP server (git http-backend) with the integration's token, Octokit creates the PR on the OpenAPI-checked
 * fake GitHub, and the run records a PULL_REQUEST artifact {url, branch} that its progress comment links.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openRunPullRequest } from '../../src/services/triggers/open-pull-request';
import { createRunStateReporter } from '../../src/services/triggers/report-run';
import { startFakeGithub, type FakeGithub } from '../fixtures/github/fake-github';
import { startGitSmartServer, type GitSmartServer } from '../fixtures/github/git-smart-server';
import { githubDelivery, issueCommentCreated } from '../fixtures/github/payloads';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TOKEN = 'ghp_pr_token_0123456789';
const HOOK_SECRET = 'pr-hook-secret';
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Ambit Test',
  GIT_AUTHOR_EMAIL: 'ambit@example.test',
  GIT_COMMITTER_NAME: 'Ambit Test',
  GIT_COMMITTER_EMAIL: 'ambit@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: os.tmpdir(),
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

describe('pull requests from GitHub-triggered runs', () => {
  let platform: TestPlatform;
  let github: FakeGithub;
  let gitServer: GitSmartServer;
  let dir: string;
  let bare: string;
  let workspace: string;
  let runId: string;
  let integrationId: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-pr-'));
    bare = path.join(dir, 'srv', 'octo', 'app.git');
    fs.mkdirSync(bare, { recursive: true });
    git(bare, 'init', '--bare', '--initial-branch=main');
    const seed = path.join(dir, 'seed');
    fs.mkdirSync(seed);
    git(seed, 'init', '--initial-branch=main');
    fs.writeFileSync(path.join(seed, 'README.md'), '# app\n');
    git(seed, 'add', '.');
    git(seed, 'commit', '-m', 'initial');
    git(seed, 'push', bare, 'main');
    workspace = path.join(dir, 'workspace');
    git(dir, 'clone', bare, workspace);
    fs.writeFileSync(path.join(workspace, 'login.ts'), 'export const waitForPage = true;\n');
    git(workspace, 'add', '.');
    git(workspace, 'commit', '-m', 'Wait for the page before logging in');

    gitServer = await startGitSmartServer({ root: path.join(dir, 'srv'), token: TOKEN });
    github = await startFakeGithub({ token: TOKEN });
    platform = await startTestPlatform({ worker: false, env: { AMBIT_PUBLIC_URL: 'https://ambit.pr.test' } });
    const created = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'pr',
      config: { repositories: ['octo/app'], api_url: github.url, git_url: gitServer.url },
      secret_values: { webhook_secret: HOOK_SECRET, token: TOKEN },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;
    const d = githubDelivery(HOOK_SECRET, 'issue_comment', issueCommentCreated('octo/app', 3, '@ambit fix login'));
    const res = await fetch(`${platform.api.url}/api/v1/hooks/${integrationId}`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    runId = ((await res.json()) as { runs: { run_id: string }[] }).runs[0]!.run_id;
  });
  afterAll(async () => {
    await platform?.stop();
    await github?.close();
    await gitServer?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const deps = () => ({ db: platform.database.db, config: platform.config, logger: platform.deps.logger });

  test('the branch is pushed with real git, the PR created with Octokit and recorded as a PULL_REQUEST artifact', async () => {
    const pr = await openRunPullRequest(deps(), {
      runId,
      cwd: workspace,
      branch: 'ambit/fix-login',
      title: 'Wait for the page before logging in',
      body: 'Fixes #3',
    });
    // The server's repository has the branch at the workspace's commit.
    expect(git(bare, 'rev-parse', 'refs/heads/ambit/fix-login')).toBe(git(workspace, 'rev-parse', 'HEAD'));
    expect(gitServer.requests.some((r) => r.path.endsWith('/git-receive-pack') && r.authorized)).toBe(true);
    // The PR, as GitHub documents the call.
    const create = github.requests.find((r) => r.operationId === 'pulls/create');
    expect(create?.body).toEqual({
      head: 'ambit/fix-login',
      base: 'main',
      title: 'Wait for the page before logging in',
      body: 'Fixes #3',
    });
    expect(pr).toMatchObject({ branch: 'ambit/fix-login', base: 'main', url: expect.stringMatching(/\/pull\/\d+$/) });

    const run = await platform.request('GET', `/agent/runs/${runId}`);
    const artifact = run.body.artifacts.find((a: { artifact_type: string }) => a.artifact_type === 'PULL_REQUEST');
    expect(artifact.data).toMatchObject({ url: pr.url, branch: 'ambit/fix-login' });
    const filtered = await platform.request('GET', '/agent/runs?artifact_type=PULL_REQUEST');
    expect(filtered.body.runs.map((r: { run_id: string }) => r.run_id)).toContain(runId);

    // A repeat returns the recorded PR and opens no second one.
    const again = await openRunPullRequest(deps(), { runId, cwd: workspace, branch: 'ambit/fix-login', title: 'x' });
    expect(again.url).toBe(pr.url);
    expect(github.requests.filter((r) => r.operationId === 'pulls/create')).toHaveLength(1);

    // The progress comment links the PR.
    await createRunStateReporter(deps())({ runId, state: 'SUCCEEDED' });
    const comment = [...github.comments.values()].find((c) => c.issue_number === 3);
    expect(comment?.body).toContain(`Pull request: ${pr.url} (ambit/fix-login)`);
    expect(github.violations).toEqual([]);
  });

  test('a push the server refuses fails with git’s reason and without the token', async () => {
    await platform.request('PATCH', `/integrations/${integrationId}`, {
      secret_values: { token: 'ghp_wrong_token_for_push' },
      config: { repositories: ['octo/app'], api_url: github.url, git_url: gitServer.url, register_webhook: false },
    });
    const failed = openRunPullRequest(deps(), { runId, cwd: workspace, branch: 'ambit/other', title: 't' });
    await expect(failed).rejects.toThrow(/git push of ambit\/other failed/);
    await expect(failed).rejects.not.toThrow(/ghp_wrong_token_for_push/);
    expect(() => git(bare, 'rev-parse', '--verify', 'refs/heads/ambit/other')).toThrow();
  });
});
