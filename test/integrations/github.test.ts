/**
 * The GitHub integration on the real API, database and Temporal server (no worker: runs stay QUEUED), against a
 * local GitHub that checks every request against GitHub's OpenAPI description: webhook registration on create and
 * removal on delete, signature checks with GitHub's documented algorithm and test vector, which events start runs,
 * the context fetched for them (diff, failing checks' logs), and exactly-once intake.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { startFakeGithub, type FakeGithub } from '../fixtures/github/fake-github';
import { validateRequest } from '../fixtures/github/openapi-validator';
import {
  GITHUB_SIGNING_EXAMPLE,
  githubDelivery,
  issueCommentCreated,
  issueLabeled,
  type Delivery,
} from '../fixtures/github/payloads';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const TOKEN = 'ghp_faketoken1234567890';
const HOOK_SECRET = 'gh-hook-secret-0a1b2c';

describe('GitHub integration', () => {
  let platform: TestPlatform;
  let github: FakeGithub;
  let integration: { id: string; hook_url: string };

  async function deliver(id: string, d: Delivery): Promise<{ status: number; body: any }> {
    const res = await fetch(`${platform.api.url}/api/v1/hooks/${id}`, {
      method: 'POST',
      headers: d.headers,
      body: d.body,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    github = await startFakeGithub({ token: TOKEN });
    platform = await startTestPlatform({ worker: false, env: { AMBIT_PUBLIC_URL: 'https://ambit.example.test' } });
    const created = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'octo',
      config: { repositories: ['octo/app', 'octo/lib'], labels: ['ambit'], api_url: github.url },
      secret_values: { webhook_secret: HOOK_SECRET, token: TOKEN },
    });
    expect(created.status).toBe(201);
    integration = created.body;
  });
  afterAll(async () => {
    await platform?.stop();
    await github?.close();
  });

  afterEach(() => {
    // Every request Ambit sent is one GitHub documents, with a body its schema accepts.
    expect(github.violations).toEqual([]);
  });

  test('create registers a repository webhook per repository, signed with the integration secret', () => {
    const hooks = [...github.hooks.values()];
    expect(hooks.map((h) => h.owner).sort()).toEqual(['octo/app', 'octo/lib']);
    for (const hook of hooks) {
      expect(hook.config).toMatchObject({
        url: `https://ambit.example.test/api/v1/hooks/${integration.id}`,
        content_type: 'json',
        secret: HOOK_SECRET,
      });
      expect(hook.events.sort()).toEqual(['issue_comment', 'issues', 'pull_request_review_comment']);
    }
    expect(github.requests.filter((r) => r.operationId === 'repos/create-webhook')).toHaveLength(2);
    expect(integration.hook_url).toBe(`https://ambit.example.test/api/v1/hooks/${integration.id}`);
    expect(JSON.stringify(integration)).not.toContain(TOKEN);
    expect(JSON.stringify(integration)).not.toContain(HOOK_SECRET);
  });

  test("GitHub's documented test vector verifies; a tampered body or a missing signature is refused", async () => {
    const sample = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'docs-vector',
      config: { repositories: ['octo/docs'], api_url: github.url, register_webhook: false },
      secret_values: { webhook_secret: GITHUB_SIGNING_EXAMPLE.secret, token: TOKEN },
    });
    expect(sample.status).toBe(201);
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'ping',
      'x-github-delivery': randomUUID(),
    };
    const valid = await deliver(sample.body.id, {
      headers: { ...headers, 'x-hub-signature-256': GITHUB_SIGNING_EXAMPLE.signature },
      body: GITHUB_SIGNING_EXAMPLE.payload,
    });
    expect(valid).toEqual({ status: 200, body: { ok: true } });
    const tampered = await deliver(sample.body.id, {
      headers: { ...headers, 'x-hub-signature-256': GITHUB_SIGNING_EXAMPLE.signature },
      body: 'Hello, World?',
    });
    expect(tampered.status).toBe(401);
    expect(tampered.body.detail).toContain('X-Hub-Signature-256 does not match');
    const missing = await deliver(sample.body.id, { headers, body: GITHUB_SIGNING_EXAMPLE.payload });
    expect(missing.status).toBe(401);
    expect(missing.body.detail).toContain('missing X-Hub-Signature-256');
    // The legacy SHA-1 header alone is not accepted.
    const sha1 = await deliver(sample.body.id, {
      headers: { ...headers, 'x-hub-signature': 'sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59' },
      body: GITHUB_SIGNING_EXAMPLE.payload,
    });
    expect(sha1.status).toBe(401);
  });

  test('a mention in an issue comment starts a GitHub run with the issue as context; a redelivery is the same run', async () => {
    const payload = issueCommentCreated('octo/app', 7, 'Hey @ambit, please fix the flaky login test', {
      title: 'Login test flakes',
      issueBody: 'It fails one time in ten on CI.',
      labels: ['bug', 'ci'],
    });
    const delivery = githubDelivery(HOOK_SECRET, 'issue_comment', payload);
    const res = await deliver(integration.id, delivery);
    expect(res.status).toBe(202);
    expect(res.body.runs[0]).toMatchObject({ outcome: 'started' });
    const runId: string = res.body.runs[0].run_id;

    const run = await platform.request('GET', `/agent/runs/${runId}`);
    expect(run.body).toMatchObject({
      source: 'GITHUB',
      title: 'octo/app#7: Login test flakes',
      trigger_url: payload.comment.html_url,
    });
    const row = await platform.database.db.run.findUniqueOrThrow({ where: { id: runId }, include: { trigger: true } });
    expect(row.prompt).toMatch(/^Hey , please fix the flaky login test/);
    expect(row.prompt).toContain('Issue octo/app#7: Login test flakes');
    expect(row.prompt).toContain('Labels: bug, ci');
    expect(row.prompt).toContain('It fails one time in ten on CI.');
    expect(row.trigger).toMatchObject({
      type: 'github',
      integrationId: integration.id,
      deliveryId: delivery.headers['x-github-delivery'],
      target: { repo: 'octo/app', issue_number: 7 },
    });

    const again = await deliver(integration.id, delivery);
    expect(again.body.runs[0]).toMatchObject({ outcome: 'duplicate', run_id: runId });
    expect(await platform.database.db.runTrigger.count({ where: { integrationId: integration.id } })).toBe(1);
  });

  test('a mention on a pull request brings its diff and the logs of its failing checks', async () => {
    github.addPull({
      repo: 'octo/lib',
      number: 21,
      title: 'Speed up parser',
      body: 'Rewrites the tokenizer.',
      head: 'fast-parser',
      base: 'main',
      headSha: 'abc123def456',
      diff: 'diff --git a/src/parse.ts b/src/parse.ts\n-const slow = true;\n+const slow = false;\n',
    });
    github.checkRuns.set('abc123def456', [
      { id: 555, name: 'unit tests', conclusion: 'failure' },
      { id: 556, name: 'lint', conclusion: 'success' },
    ]);
    github.jobLogs.set(555, 'FAIL test/parse.test.ts\n  expected 3 tokens, got 2\n');
    const payload = issueCommentCreated('octo/lib', 21, '@ambit why does CI fail?', {
      pullRequest: true,
      title: 'Speed up parser',
      issueBody: 'Rewrites the tokenizer.',
    });
    const res = await deliver(integration.id, githubDelivery(HOOK_SECRET, 'issue_comment', payload));
    expect(res.body.runs[0].outcome).toBe('started');
    const row = await platform.database.db.run.findUniqueOrThrow({ where: { id: res.body.runs[0].run_id } });
    expect(row.prompt).toContain('Pull request octo/lib#21: Speed up parser');
    expect(row.prompt).toContain('+const slow = false;');
    expect(row.prompt).toContain('Branch: fast-parser → main');
    expect(row.prompt).toContain('Failing check "unit tests"');
    expect(row.prompt).toContain('expected 3 tokens, got 2');
    expect(row.prompt).not.toContain('Failing check "lint"');
    const ops = github.requests.map((r) => r.operationId);
    expect(ops).toEqual(
      expect.arrayContaining(['pulls/get', 'checks/list-for-ref', 'actions/download-job-logs-for-workflow-run']),
    );
    expect(github.requests.some((r) => r.operationId === 'pulls/get' && r.accept?.includes('diff') === true)).toBe(
      true,
    );
  });

  test('a configured label starts a run; other labels, comments without a mention, bots and other repos do not', async () => {
    const labelled = await deliver(
      integration.id,
      githubDelivery(HOOK_SECRET, 'issues', issueLabeled('octo/app', 30, 'ambit', { title: 'Add dark mode' })),
    );
    expect(labelled.body.runs[0].outcome).toBe('started');
    const row = await platform.database.db.run.findUniqueOrThrow({ where: { id: labelled.body.runs[0].run_id } });
    expect(row.prompt).toMatch(/^Work on issue octo\/app#30: Add dark mode/);

    const ignored: [string, unknown, string][] = [
      ['issues', issueLabeled('octo/app', 31, 'wontfix'), 'label wontfix'],
      ['issue_comment', issueCommentCreated('octo/app', 32, 'just a comment'), 'no @ambit mention'],
      ['issue_comment', issueCommentCreated('octo/app', 33, '@ambit hi', { userType: 'Bot' }), 'bot'],
      ['issue_comment', issueCommentCreated('other/repo', 34, '@ambit hi'), 'not one of'],
      ['issue_comment', issueCommentCreated('octo/app', 35, 'email me at x@ambitious.dev'), 'no @ambit mention'],
    ];
    for (const [event, payload, reason] of ignored) {
      const res = await deliver(integration.id, githubDelivery(HOOK_SECRET, event, payload));
      expect(res.status).toBe(202);
      expect(res.body.runs).toEqual([]);
      expect(res.body.ignored).toContain(reason);
    }
  });

  test('a failed registration creates nothing; delete removes the webhooks from GitHub', async () => {
    const before = github.hooks.size;
    const refused = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'bad-token',
      config: { repositories: ['octo/app'], api_url: github.url },
      secret_values: { webhook_secret: 's', token: 'wrong-token' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toContain('401');
    expect(github.hooks.size).toBe(before);
    expect(await platform.database.db.integration.count({ where: { name: 'bad-token' } })).toBe(0);

    const org = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'org-wide',
      config: { organization: 'octo-org', api_url: github.url },
      secret_refs: { token: 'GITHUB_ORG_PAT' },
      secret_values: { webhook_secret: 'org-secret' },
    });
    // The token role names a secret the team does not have yet.
    expect(org.status).toBe(400);
    expect(org.body.detail).toContain('GITHUB_ORG_PAT');

    const orgOk = await platform.request('POST', '/integrations', {
      type: 'github',
      name: 'org-wide',
      config: { organization: 'octo-org', api_url: github.url },
      secret_refs: { token: 'GITHUB_ORG_PAT' },
      secret_values: { webhook_secret: 'org-secret', token: TOKEN },
    });
    expect(orgOk.status).toBe(201);
    expect([...github.hooks.values()].some((h) => h.owner === 'octo-org')).toBe(true);
    const listed = await platform.request('GET', '/integrations?type=github');
    expect(listed.body.integrations.map((i: { name: string }) => i.name).sort()).toEqual([
      'docs-vector',
      'octo',
      'org-wide',
    ]);
    expect(listed.body.integrations.find((i: { name: string }) => i.name === 'org-wide').status).toMatchObject({
      state: 'connected',
      webhook_registered: true,
    });

    const removedOrg = await platform.request('DELETE', `/integrations/${orgOk.body.id}`);
    expect(removedOrg.body).toEqual({ id: orgOk.body.id, deleted: true, webhook_removed: true });
    expect([...github.hooks.values()].some((h) => h.owner === 'octo-org')).toBe(false);
    expect(github.requests.some((r) => r.operationId === 'orgs/delete-webhook')).toBe(true);
    expect((await platform.request('GET', `/integrations/${orgOk.body.id}`)).status).toBe(404);
  });

  test('update with new repositories re-registers; delete of the last integration leaves no webhook', async () => {
    const updated = await platform.request('PATCH', `/integrations/${integration.id}`, {
      config: { repositories: ['octo/app'], labels: ['ambit'], api_url: github.url },
    });
    expect(updated.status).toBe(200);
    expect(
      [...github.hooks.values()].filter((h) => h.config.url?.endsWith(integration.id)).map((h) => h.owner),
    ).toEqual(['octo/app']);
    const removed = await platform.request('DELETE', `/integrations/${integration.id}`);
    expect(removed.body).toMatchObject({ deleted: true, webhook_removed: true });
    expect([...github.hooks.values()].filter((h) => h.config.url?.endsWith(integration.id))).toEqual([]);
    const audit = await platform.database.db.auditEvent.findMany({
      where: { targetId: integration.id },
      orderBy: { id: 'asc' },
    });
    expect(audit.map((a) => a.action)).toEqual(['integration.created', 'integration.updated', 'integration.deleted']);
    expect(JSON.stringify(audit.map((a) => a.data))).not.toContain(TOKEN);
  });
});

describe('the fake GitHub validates against the OpenAPI description', () => {
  test('undocumented operations and bodies that do not fit the schema are reported', () => {
    expect(validateRequest('POST', '/repos/o/r/issues/1/comments', { body: 'hi' })).toEqual({
      operationId: 'issues/create-comment',
      problems: [],
    });
    expect(validateRequest('PATCH', '/repos/o/r/issues/comments/5', { body: 'x' }).operationId).toBe(
      'issues/update-comment',
    );
    expect(validateRequest('POST', '/repos/o/r/issues/1/comments', {}).problems).toEqual(['body.body: required']);
    expect(validateRequest('POST', '/repos/o/r/issues/1/comments', { body: 5 }).problems[0]).toContain(
      'expected string',
    );
    expect(validateRequest('POST', '/repos/o/r/pulls', { title: 't', base: 'main' }).problems).toEqual([
      'body.head: required',
    ]);
    expect(validateRequest('POST', '/repos/o/r/comments-everywhere', {}).problems[0]).toContain('not an operation');
  });
});

describe('GitHub App credentials', () => {
  test('an app JWT is exchanged for an installation token, used for registration; credentials are checked at create', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const installationToken = 'ghs_installation_token_42';
    const github = await startFakeGithub({
      token: installationToken,
      app: {
        id: 314,
        installationId: 2718,
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
    });
    const platform = await startTestPlatform({ worker: false });
    try {
      const missingKey = await platform.request('POST', '/integrations', {
        type: 'github',
        name: 'app-nokey',
        config: { repositories: ['octo/app'], api_url: github.url, app_id: 314, installation_id: 2718 },
        secret_values: { webhook_secret: 's' },
      });
      expect(missingKey.status).toBe(400);
      expect(missingKey.body.detail).toContain('secret_refs.app_private_key');
      const noCredentials = await platform.request('POST', '/integrations', {
        type: 'github',
        name: 'nothing',
        config: { repositories: ['octo/app'], api_url: github.url },
        secret_values: { webhook_secret: 's' },
      });
      expect(noCredentials.status).toBe(400);
      expect(noCredentials.body.detail).toContain('secret_refs.token');

      const created = await platform.request('POST', '/integrations', {
        type: 'github',
        name: 'as-app',
        config: { repositories: ['octo/app'], api_url: github.url, app_id: 314, installation_id: 2718 },
        secret_values: {
          webhook_secret: 'app-hook-secret',
          app_private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      });
      expect(created.status).toBe(201);
      expect(github.requests.map((r) => r.operationId)).toEqual([
        'apps/create-installation-access-token',
        'repos/create-webhook',
      ]);
      expect([...github.hooks.values()][0]?.config.secret).toBe('app-hook-secret');
      expect(JSON.stringify(created.body)).not.toContain('PRIVATE KEY');
      expect(github.violations).toEqual([]);
    } finally {
      await platform.stop();
      await github.close();
    }
  });
});
