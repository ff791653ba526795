/**
 * The agent's open_pull_request tool end to end, on real parts: the real platform (API, database, Temporal server,
 * worker), the scripted model server, real git against a smart-HTTP git server (git http-backend) that demands the
 * token, and the OpenAPI-checked fake GitHub. A GitHub-triggered run clones the repository, edits a file and calls
 * the tool: the branch lands on the server with the change, GitHub gets a valid PR creation, the run records a
 * PULL_REQUEST artifact that the issue's comment links, and the token is nowhere in the run's record or history.
 * With approvals.tools naming the tool, the run is BLOCKED before anything is pushed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeGithub, type FakeGithub } from '../fixtures/github/fake-github';
import { startGitSmartServer, type GitSmartServer } from '../fixtures/github/git-smart-server';
import { githubDelivery, issueCommentCreated } from '../fixtures/github/payloads';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TOKEN = 'ghp_pr_tool_token_9f8e7d6c5b4a';
const BASIC = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
const HOOK_SECRET = 'pr-tool-hook-secret';
const TERMINAL = ['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED'];
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
  execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Every byte string of a Temporal history (payloads), as text: what a reader of the history could see. */
function historyText(value: unknown, out: string[] = []): string[] {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => historyText(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => historyText(v, out));
  return out;
}

describe('the open_pull_request tool', () => {
  let models: ScriptedModelServer;
  let github: FakeGithub;
  let gitServer: GitSmartServer;
  let platform: TestPlatform;
  let dir: string;
  let bare: string;
  let integrationId: string;
  let cloneUrl: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-pr-tool-'));
    bare = path.join(dir, 'srv', 'octo', 'app.git');
    fs.mkdirSync(bare, { recursive: true });
    git(bare, 'init', '--bare', '--initial-branch=main');
    const seed = path.join(dir, 'seed');
    fs.mkdirSync(seed);
    git(seed, 'init', '--initial-branch=main');
    fs.writeFileSync(path.join(seed, 'login.ts'), 'export const waitForPage = false;\n');
    git(seed, 'add', '.');
    git(seed, 'commit', '-m', 'initial');
    git(seed, 'push', bare, 'main');

    gitServer = await startGitSmartServer({ root: path.join(dir, 'srv'), token: TOKEN });
    cloneUrl = `${gitServer.url}/octo/app.git`;
    github = await startFakeGithub({ token: TOKEN });
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: {
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        AMBIT_DEFAULT_MODEL: 'openai-compatible/m',
        AMBIT_PUBLIC_URL: 'https://ambit.pr-tool.test',
      },
    });
    // The token is stored as the team secret GITHUB_PR_TOKEN, which runs also get as an environment variable: the
    // scripted agent clones with it (as an agent with a GitHub token in its environment would).
    const created = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'pr',
      config: { repositories: ['octo/app'], api_url: github.url, git_url: gitServer.url },
      secret_values: { webhook_secret: HOOK_SECRET, token: TOKEN },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;
  });
  afterAll(async () => {
    await platform?.stop();
    await models?.close();
    await github?.close();
    await gitServer?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** The agent's steps up to the tool call: clone (token from its environment, via git's environment), edit. */
  const cloneAndEdit = (content: string) => [
    {
      toolCalls: [
        {
          name: 'run_shell_command',
          input: {
            command:
              'GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader ' +
              `GIT_CONFIG_VALUE_0="Authorization: Basic $(printf 'x-access-token:%s' "$GITHUB_PR_TOKEN" | base64 | tr -d '\\n')" ` +
              `git clone -q ${cloneUrl} app`,
          },
        },
      ],
    },
    { toolCalls: [{ name: 'write_file', input: { path: 'app/login.ts', content } }] },
  ];

  const toolResult = async (runId: string, name: string) => {
    const rows = await platform.database.db.toolCall.findMany({ where: { runId, name } });
    return rows;
  };

  test('a GitHub-triggered run commits, pushes and opens the PR, recorded as its PULL_REQUEST artifact', async () => {
    const content = 'export const waitForPage = true;\n';
    models.addScript('pr-tool', [
      ...cloneAndEdit(content),
      {
        toolCalls: [
          {
            name: 'open_pull_request',
            input: { title: 'Wait for the page before logging in', body: 'Fixes #21', path: 'app' },
          },
        ],
      },
      { text: 'Opened the pull request.' },
    ]);
    const d = githubDelivery(
      HOOK_SECRET,
      'issue_comment',
      issueCommentCreated('octo/app', 21, '@ambit fix the login wait [script:pr-tool]'),
    );
    const res = await fetch(`${platform.api.url}/api/v1/hooks/${integrationId}`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    expect(res.status).toBe(202);
    const runId = ((await res.json()) as { runs: { run_id: string }[] }).runs[0]!.run_id;

    const done = await platform.waitForState(runId, TERMINAL, 120_000);
    expect(done.state).toBe('SUCCEEDED');
    // The model was offered the tool, with its input schema.
    const offered = JSON.stringify(models.callsFor('pr-tool')[0]?.body);
    expect(offered).toContain('open_pull_request');

    const [call] = await toolResult(runId, 'open_pull_request');
    expect(call?.state).toBe('completed');
    const output = call?.output as { url: string; branch: string; base: string; commit: string };
    expect(output.branch).toMatch(/^ambit\/wait-for-the-page-before-logging-in-/);
    expect(output.base).toBe('main');

    // The branch is on the server, one commit on main, with the agent's change (and nothing else).
    expect(git(bare, 'rev-parse', `refs/heads/${output.branch}`)).toBe(output.commit);
    expect(git(bare, 'show', `${output.branch}:login.ts`)).toBe(content.trim());
    expect(git(bare, 'rev-parse', `${output.branch}~1`)).toBe(git(bare, 'rev-parse', 'main'));
    expect(git(bare, 'log', '-1', '--format=%s', output.branch)).toBe('Wait for the page before logging in');
    expect(gitServer.requests.some((r) => r.path.endsWith('/git-receive-pack') && r.authorized)).toBe(true);

    // GitHub received the PR creation as its OpenAPI description documents it.
    const creates = github.requests.filter((r) => r.operationId === 'pulls/create');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.body).toEqual({
      head: output.branch,
      base: 'main',
      title: 'Wait for the page before logging in',
      body: 'Fixes #21',
    });
    expect(github.violations).toEqual([]);

    // The run's PULL_REQUEST artifact, and the issue's progress comment links it.
    const run = await platform.request('GET', `/agent/runs/${runId}`);
    const artifact = run.body.artifacts.find((a: { artifact_type: string }) => a.artifact_type === 'PULL_REQUEST');
    expect(artifact.data).toMatchObject({ url: output.url, branch: output.branch });
    const commentHasLink = async () => {
      for (let i = 0; i < 200; i++) {
        const c = [...github.comments.values()].find((x) => x.issue_number === 21);
        if (c?.body.includes(`Pull request: ${output.url}`)) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    };
    expect(await commentHasLink()).toBe(true);

    // The token is nowhere in the run's record (events, transcript, tool calls, the run) nor its Temporal history.
    const db = platform.database.db;
    const recorded = JSON.stringify(
      [
        await db.run.findUnique({ where: { id: runId } }),
        await db.runEvent.findMany({ where: { runId } }),
        await db.runMessage.findMany({ where: { runId } }),
        await db.toolCall.findMany({ where: { runId } }),
        await db.artifact.findMany({ where: { runId } }),
      ],
      (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v),
    );
    expect(recorded).toContain(output.url);
    expect(recorded).not.toContain(TOKEN);
    expect(recorded).not.toContain(BASIC);
    const history = historyText(await platform.client.workflow.getHandle(runId).fetchHistory()).join('\n');
    expect(history).toContain('open_pull_request');
    expect(history).not.toContain(TOKEN);
    expect(history).not.toContain(BASIC);
  });

  test('with approvals.tools naming the tool, the run is BLOCKED before pushing; approved, it opens the PR', async () => {
    models.addScript('pr-gated', [
      ...cloneAndEdit('export const waitForPage = "gated";\n'),
      {
        toolCalls: [
          {
            name: 'open_pull_request',
            input: { title: 'Gated change', repository: 'octo/app', path: 'app', branch: 'ambit/gated' },
          },
        ],
      },
      { text: 'Done.' },
    ]);
    // Started from the API (no GitHub trigger): the team's GitHub integration covering the repository is used.
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Change it [script:pr-gated]',
      config: { approvals: { tools: ['open_pull_request'] } },
    });
    expect(created.status).toBe(200);
    const runId: string = created.body.run_id;

    const blocked = await platform.waitForState(runId, ['BLOCKED', ...TERMINAL], 120_000);
    expect(blocked.state).toBe('BLOCKED');
    expect(blocked.status_message.message).toContain('open_pull_request');
    expect(() => git(bare, 'rev-parse', '--verify', 'refs/heads/ambit/gated')).toThrow();
    const before = github.requests.filter((r) => r.operationId === 'pulls/create').length;

    const decided = await fetch(`${platform.api.url}/api/v1/agent/runs/${runId}/approvals`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'approve' }),
    });
    expect(decided.status).toBe(200);
    const done = await platform.waitForState(runId, TERMINAL, 120_000);
    expect(done.state).toBe('SUCCEEDED');
    expect(git(bare, 'show', 'ambit/gated:login.ts')).toBe('export const waitForPage = "gated";');
    const creates = github.requests.filter((r) => r.operationId === 'pulls/create');
    expect(creates).toHaveLength(before + 1);
    expect(creates.at(-1)?.body).toMatchObject({ head: 'ambit/gated', base: 'main', title: 'Gated change' });
    const [call] = await toolResult(runId, 'open_pull_request');
    expect(call?.state).toBe('completed');
    expect(github.violations).toEqual([]);
  });

  test('what the tool cannot do comes back to the model as a failed result naming the cause; nothing is opened', async () => {
    models.addScript('pr-refused', [
      cloneAndEdit('')[0]!,
      {
        toolCalls: [
          { name: 'open_pull_request', input: { title: 'Nothing changed', repository: 'octo/app', path: 'app' } },
          { name: 'open_pull_request', input: { title: 'No folder', repository: 'octo/app', path: 'missing' } },
          { name: 'open_pull_request', input: { title: 'Bad branch', repository: 'octo/app', branch: '--force' } },
          { name: 'open_pull_request', input: { title: 'Elsewhere', repository: 'other/repo' } },
        ],
      },
      { text: 'Could not open it.' },
    ]);
    const before = github.requests.filter((r) => r.operationId === 'pulls/create').length;
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Try [script:pr-refused]' });
    expect(created.status).toBe(200);
    const runId: string = created.body.run_id;
    const done = await platform.waitForState(runId, TERMINAL, 120_000);
    expect(done.state).toBe('SUCCEEDED');
    const calls = await platform.database.db.toolCall.findMany({ where: { runId, name: 'open_pull_request' } });
    const errors = Object.fromEntries(
      calls.map((c) => [(c.input as { title: string }).title, [c.state, (c.output as { error?: string }).error]]),
    );
    expect(errors['No folder']).toEqual([
      'failed',
      expect.stringContaining('no such folder in the workspace: missing'),
    ]);
    expect(errors['Nothing changed']).toEqual(['failed', expect.stringContaining('no changes to open a pull request')]);
    expect(errors['Bad branch']).toEqual(['failed', expect.stringContaining('branch: a git branch name')]);
    expect(errors['Elsewhere']).toEqual([
      'failed',
      expect.stringContaining('repository: other/repo is not covered by a GitHub integration'),
    ]);
    expect(github.requests.filter((r) => r.operationId === 'pulls/create')).toHaveLength(before);
    // The model saw the failures as tool results.
    expect(JSON.stringify(models.callsFor('pr-refused').at(-1)?.body)).toContain('no such folder in the workspace');
  });
});
