/**
 * The provider with an image that has git and node (built from the host's binaries): repositories cloned by the
 * image's git over HTTP with a token, the host-side clone with a token for an image without git, and an MCP stdio
 * server running inside the container, reached through the real MCP client.
 */
import fs from 'node:fs';
import type Docker from 'dockerode';
import { containerName, DockerProvider } from '../../activities/environment/docker';
import {
  EnvironmentSetupError,
  type EnvironmentHandle,
  type EnvironmentSpec,
} from '../../activities/environment/provider';
import { callMcpTool, listMcpTools } from '../../activities/tools/mcp';
import { bridgeGateway, connectDocker, ensureTestImages, managedResources, runIdPrefix } from '../helpers/docker';
import { startGitHttpServer, type GitHttpServer } from './git-http-server';
import { makeRepository } from './repository';

const TOKEN = 'ghs_s3cr3t-t0ken+with/odd=chars';
let docker: Docker;
let images: { busybox: string; tools: string };
let provider: DockerProvider;
let repoDir: string;
let gitServer: GitHttpServer;
let repoUrl: string;
const prefix = runIdPrefix('tools');
const created = new Set<string>();

function runId(name: string): string {
  const id = `${prefix}${name}`;
  created.add(id);
  return id;
}

async function sh(handle: EnvironmentHandle, command: string) {
  return provider.exec(handle, command, { timeoutMs: 20_000, outputCapBytes: 1 << 20 });
}

beforeAll(async () => {
  docker = await connectDocker();
  images = await ensureTestImages(docker);
  provider = new DockerProvider({ docker });
  const repository = makeRepository();
  repoDir = repository.dir;
  // On the bridge's gateway: reachable from containers on the default network and from the host.
  gitServer = await startGitHttpServer({
    root: repoDir,
    host: await bridgeGateway(docker),
    username: 'x-access-token',
    token: TOKEN,
  });
  repoUrl = `${gitServer.url}/origin.git`;
});

afterAll(async () => {
  for (const id of created) await provider?.destroy({ provider: 'docker', id });
  await gitServer?.close();
  if (repoDir) fs.rmSync(repoDir, { recursive: true, force: true });
  if (docker) expect(await managedResources(docker, prefix)).toEqual({ containers: [], volumes: [] });
});

describe('cloning with a token', () => {
  test("the image's git clones inside the container, and the token is kept nowhere", async () => {
    const id = runId('git-inside');
    const progress: string[] = [];
    const spec: EnvironmentSpec = {
      image: images.tools,
      repositories: [{ url: repoUrl, ref: 'feature', token: TOKEN }],
      setupCommands: ['git -C origin log --format=%s > log.txt && git -C origin status --short > status.txt'],
    };
    const handle = await provider.prepare({ runId: id, spec, onProgress: (m) => progress.push(m) });

    expect(progress).toContain(`cloning ${repoUrl} into /workspace/origin`);
    expect((await provider.readFile(handle, 'origin/src/feature.txt')).toString()).toBe('only on feature\n');
    expect((await provider.readFile(handle, 'log.txt')).toString()).toBe('feature\nfirst\n');
    expect((await provider.readFile(handle, 'status.txt')).toString()).toBe('');
    // The requests came from the container, with the token.
    const { NetworkSettings } = await docker.getContainer(containerName(id)).inspect();
    const address = NetworkSettings.Networks['bridge']?.IPAddress;
    expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const fromContainer = gitServer.requests.filter((r) => r.remoteAddress.endsWith(address!));
    expect(fromContainer.some((r) => r.authorized)).toBe(true);
    // Neither the clone's config, nor the progress events, nor the workspace keep the token.
    expect((await provider.readFile(handle, 'origin/.git/config')).toString()).toContain(`url = ${repoUrl}`);
    expect((await sh(handle, `grep -rl -e '${TOKEN}' /workspace /.ambit; echo rc=$?`)).stdout).toBe('rc=1\n');
    expect(progress.join('\n')).not.toContain(TOKEN);
  });

  test('a wrong token fails setup without showing the token', async () => {
    const wrong = 'wrong-token-value';
    const error = await provider
      .prepare({
        runId: runId('git-denied'),
        spec: { image: images.tools, repositories: [{ url: repoUrl, token: wrong }] },
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(EnvironmentSetupError);
    const setupError = error as EnvironmentSetupError;
    expect(setupError.command).toBe(`git clone ${repoUrl}`);
    expect(setupError.outputTail).toMatch(/Authentication failed|401/);
    expect(setupError.message).not.toContain(wrong);
  });

  test('an image without git gets the repository cloned on the host with the token', async () => {
    const id = runId('git-host');
    const before = gitServer.requests.length;
    const progress: string[] = [];
    const handle = await provider.prepare({
      runId: id,
      spec: { image: images.busybox, repositories: [{ url: repoUrl, token: TOKEN, path: 'checkout' }] },
      onProgress: (m) => progress.push(m),
    });
    expect(progress).toContain(
      `cloning ${repoUrl} into /workspace/checkout (on the host: the image has no git or no network)`,
    );
    expect((await provider.readFile(handle, 'checkout/README.md')).toString()).toBe('# app\nline two\n');
    expect(gitServer.requests.slice(before).some((r) => r.authorized)).toBe(true);
    expect((await sh(handle, `grep -rl -e '${TOKEN}' /workspace; echo rc=$?`)).stdout).toBe('rc=1\n');
  });
});

/**
 * A minimal MCP server (newline-delimited JSON-RPC on stdio) that reports where it runs. The official
 * server-everything needs its node_modules; this one needs only node, which the tools image has.
 */
const PROBE_SERVER = `
const fs = require('fs');
const os = require('os');
const readline = require('readline');
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
process.stderr.write('probe server started\\n');
readline.createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (!line.trim()) return;
    const msg = JSON.parse(line);
    if (msg.id === undefined) return;
    const reply = (result) => send({ jsonrpc: '2.0', id: msg.id, result });
    if (msg.method === 'initialize') {
      return reply({
        protocolVersion: msg.params.protocolVersion,
        capabilities: { tools: {} },
        serverInfo: { name: 'probe', version: '1.0.0' },
      });
    }
    if (msg.method === 'tools/list') {
      return reply({
        tools: [{
          name: 'probe',
          description: 'Says where the server runs',
          inputSchema: { type: 'object', properties: { file: { type: 'string' } } },
        }],
      });
    }
    if (msg.method === 'tools/call') {
      const file = msg.params.arguments && msg.params.arguments.file;
      const text = JSON.stringify({
        uid: process.getuid(),
        cwd: process.cwd(),
        hostname: os.hostname(),
        greeting: process.env.MCP_GREETING,
        content: file ? fs.readFileSync(file, 'utf8') : null,
      });
      return reply({ content: [{ type: 'text', text }] });
    }
    send({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'method not found' } });
  })
  .on('close', () => {
    if (!process.env.IGNORE_EOF) process.exit(0);
    setInterval(() => undefined, 1000);
  });
`;

describe('MCP stdio servers', () => {
  let handle: EnvironmentHandle;
  beforeAll(async () => {
    handle = await provider.prepare({ runId: runId('mcp'), spec: { image: images.tools } });
    await provider.writeFile(handle, 'probe-server.js', PROBE_SERVER);
    await provider.writeFile(handle, 'notes.txt', 'inside the workspace');
  });

  test('a stdio server runs inside the container, as the run user, reached through the MCP client', async () => {
    const server = { command: 'node', args: ['probe-server.js'], env: { MCP_GREETING: 'hello mcp' } };
    const tools = await listMcpTools({ probe: server }, provider, handle);
    expect(tools.map((t) => t.name)).toEqual(['mcp__probe__probe']);

    const outcome = await callMcpTool(server, 'probe', { file: 'notes.txt' }, provider, handle);
    expect(outcome.state).toBe('completed');
    const seen = JSON.parse(outcome.output['content'] as string);
    const { Config } = await docker.getContainer(containerName(handle.id)).inspect();
    expect(seen).toEqual({
      uid: 1000,
      cwd: '/workspace',
      hostname: Config.Hostname,
      greeting: 'hello mcp',
      content: 'inside the workspace',
    });
    // The client closed the transport: the server saw end of input and exited.
    expect((await sh(handle, 'ps -o args')).stdout).not.toContain('probe-server.js');
  });

  test('closing the transport kills a server that ignores end of input', async () => {
    const server = { command: 'node', args: ['probe-server.js'], env: { IGNORE_EOF: '1' } };
    const started = Date.now();
    const outcome = await callMcpTool(server, 'probe', {}, provider, handle);
    expect(outcome.state).toBe('completed');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await sh(handle, 'ps -o args')).stdout).not.toContain('probe-server.js');
  });

  test('a server that cannot start fails the connection with its error', async () => {
    await expect(listMcpTools({ broken: { command: 'no-such-server-binary' } }, provider, handle)).rejects.toThrow(
      /MCP server "broken" could not be started or listed/,
    );
  });
});
