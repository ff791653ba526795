/**
 * The host half of the open_pull_request tool in a Docker environment: the commit and the push run inside the
 * container (the image's git, through the provider's exec), against a smart-HTTP git server (git http-backend) that
 * demands the token, and the token stays out of the container's files and the tool's output.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { DockerProvider } from '../../activities/environment/docker';
import type { EnvironmentHandle } from '../../activities/environment/provider';
import { pushPullRequestBranch, type PullRequestPush } from '../../activities/tools/pull-request';
import { startGitSmartServer, type GitSmartServer } from '../fixtures/github/git-smart-server';
import { bridgeGateway, connectDocker, ensureTestImages, managedResources, runIdPrefix } from '../helpers/docker';

const TOKEN = 'ghs_push_in_container_0a1b2c3d';
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Seed',
  GIT_AUTHOR_EMAIL: 'seed@example.test',
  GIT_COMMITTER_NAME: 'Seed',
  GIT_COMMITTER_EMAIL: 'seed@example.test',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: os.tmpdir(),
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

let docker: Docker;
let provider: DockerProvider;
let gitServer: GitSmartServer;
let proxy: net.Server;
let dir: string;
let bare: string;
let remoteUrl: string;
let handle: EnvironmentHandle;
const prefix = runIdPrefix('prpush');
const runId = `${prefix}run`;

/** Forwards the bridge gateway (which containers reach) to the git server on the host's loopback. */
function forward(host: string, target: number): Promise<net.Server> {
  const server = net.createServer((socket) => {
    const upstream = net.connect(target, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  return new Promise((resolve) => server.listen(0, host, () => resolve(server)));
}

const push = (over: Partial<PullRequestPush> = {}): PullRequestPush => ({
  remoteUrl,
  branch: 'ambit/in-container',
  path: 'app',
  title: 'Change made in the container',
  body: 'Body line',
  sealedToken: 'sealed-token-for-this-run',
  ...over,
});
const unsealWith = (token: string) => (sealed: string) => {
  expect(sealed).toBe('sealed-token-for-this-run');
  return { GITHUB_TOKEN: token };
};

beforeAll(async () => {
  docker = await connectDocker();
  const images = await ensureTestImages(docker);
  provider = new DockerProvider({ docker });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-prpush-'));
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
  const gateway = await bridgeGateway(docker);
  proxy = await forward(gateway, Number(new URL(gitServer.url).port));
  remoteUrl = `http://${gateway}:${(proxy.address() as net.AddressInfo).port}/octo/app.git`;
  // The image's git clones inside the container (with the token, kept nowhere), as a run's environment would.
  handle = await provider.prepare({
    runId,
    spec: { image: images.tools, repositories: [{ url: remoteUrl, token: TOKEN, path: 'app' }] },
  });
});

afterAll(async () => {
  await provider?.destroy({ provider: 'docker', id: runId });
  await new Promise((r) => proxy?.close(r));
  await gitServer?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  if (docker) expect(await managedResources(docker, prefix)).toEqual({ containers: [], volumes: [] });
});

test('the change is committed and pushed from inside the container; the token is kept nowhere', async () => {
  await provider.writeFile(handle, 'app/login.ts', 'export const waitForPage = true;\n');
  const before = gitServer.requests.length;
  const outcome = await pushPullRequestBranch({ push: push() }, { provider, handle, unsealSecrets: unsealWith(TOKEN) });

  expect(outcome.state).toBe('completed');
  expect(outcome.output).toMatchObject({ pushed: true, branch: 'ambit/in-container' });
  expect(git(bare, 'rev-parse', 'refs/heads/ambit/in-container')).toBe(outcome.output['commit']);
  expect(git(bare, 'show', 'ambit/in-container:login.ts')).toBe('export const waitForPage = true;');
  expect(git(bare, 'log', '-1', '--format=%s%n%b|%an', 'ambit/in-container')).toBe(
    'Change made in the container\nBody line\n|Ambit',
  );
  expect(gitServer.requests.slice(before).some((r) => r.path.endsWith('/git-receive-pack') && r.authorized)).toBe(true);
  // Not in the clone's config, the workspace, or what the tool answers.
  const grep = await provider.exec(handle, `grep -rl -e '${TOKEN}' /workspace; echo rc=$?`, {
    timeoutMs: 20_000,
    outputCapBytes: 1 << 20,
  });
  expect(grep.stdout).toBe('rc=1\n');
  expect(JSON.stringify(outcome)).not.toContain(TOKEN);
});

test('a push the server refuses is a failed result with git’s reason, without the token', async () => {
  await provider.writeFile(handle, 'app/other.ts', 'export const other = 1;\n');
  const wrong = 'ghs_wrong_token_for_the_push';
  const outcome = await pushPullRequestBranch(
    { push: push({ branch: 'ambit/refused' }) },
    { provider, handle, unsealSecrets: unsealWith(wrong) },
  );
  expect(outcome.state).toBe('failed');
  expect(String(outcome.output['error'])).toMatch(
    /could not commit and push ambit\/refused: .*(401|Authentication failed|could not read Username)/,
  );
  expect(JSON.stringify(outcome)).not.toContain(wrong);
  expect(() => git(bare, 'rev-parse', '--verify', 'refs/heads/ambit/refused')).toThrow();
});
