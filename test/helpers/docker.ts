/**
 * The real Docker engine the `test/docker` suites run against, and the images they use. No registry is reachable
 * from CI, so the images are built here from the host's own binaries with `docker import`:
 *
 * - `ambit-test/busybox:latest`: a static busybox and its applets, users root, ambit (1000) and nobody. No git, so
 *   repositories are cloned on the host and copied in.
 * - `ambit-test/busybox-nobody:latest`: the same without the ambit user, so runs fall back to nobody.
 * - `ambit-test/tools:latest`: the same plus the host's git (with its https helper) and node, each with the shared
 *   libraries `ldd` names: git clones inside the container, and node runs an MCP stdio server there.
 *
 * Each image carries a label with a hash of its recipe and of the host binaries: it is rebuilt only when they change,
 * so a suite builds it at most once per engine.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { MANAGED_FILTER, LABEL_RUN_ID } from '../../activities/environment/docker';

export const BUSYBOX_IMAGE = 'ambit-test/busybox:latest';
export const TOOLS_IMAGE = 'ambit-test/tools:latest';
export const NOBODY_IMAGE = 'ambit-test/busybox-nobody:latest';
const RECIPE_LABEL = 'ambit.test-recipe';
/** Bump when the way images are built changes. */
const RECIPE_VERSION = '1';

const START_HINT =
  'The test/docker suites need a real Docker engine. Start one (as root) with\n' +
  '  export DOCKER_HOST="$(scripts/docker-engine.sh start)"\n' +
  'and run the tests again in that shell (.ci/run does this; scripts/docker-engine.sh stop stops it).';

let connected: Promise<Docker> | undefined;

/** A client for the engine at DOCKER_HOST, or an error that says how to start one. Never skips. */
export function connectDocker(): Promise<Docker> {
  connected ??= (async () => {
    const host = process.env['DOCKER_HOST'];
    if (!host) throw new Error(`DOCKER_HOST is not set.\n${START_HINT}`);
    const docker = new Docker();
    try {
      await docker.ping();
    } catch (err) {
      throw new Error(
        `The Docker engine at DOCKER_HOST=${host} does not answer: ${(err as Error).message}\n${START_HINT}`,
      );
    }
    return docker;
  })();
  return connected;
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

function fingerprint(paths: string[]): string {
  const hash = crypto.createHash('sha256').update(RECIPE_VERSION);
  for (const p of paths) {
    const stat = fs.statSync(p);
    hash.update(`${p}:${stat.size}:${stat.mtimeMs}`);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Copies a host path into the root file system, keeping symlinks as symlinks and copying what they point to. */
function copyIntoRoot(root: string, hostPath: string, seen = new Set<string>()): void {
  if (seen.has(hostPath)) return;
  seen.add(hostPath);
  const stat = fs.lstatSync(hostPath);
  const dest = path.join(root, hostPath);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  if (stat.isSymbolicLink()) {
    const target = fs.readlinkSync(hostPath);
    if (!fs.existsSync(dest) && !isSymlink(dest)) fs.symlinkSync(target, dest);
    copyIntoRoot(root, path.resolve(path.dirname(hostPath), target), seen);
  } else if (stat.isDirectory()) {
    fs.cpSync(hostPath, dest, { recursive: true, verbatimSymlinks: true });
  } else {
    fs.copyFileSync(hostPath, dest);
    fs.chmodSync(dest, stat.mode & 0o7777);
  }
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The shared libraries (and the loader) a dynamically linked binary needs, as `ldd` lists them. */
function sharedLibraries(binary: string): string[] {
  const out = run('ldd', [binary]);
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

function busyboxRoot(root: string, users: 'with-ambit' | 'nobody-only' = 'with-ambit'): void {
  // Mirror a merged-/usr host (/lib -> usr/lib ...) so library paths resolve the same way inside.
  for (const dir of ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32']) {
    if (isSymlink(`/${dir}`)) {
      const target = fs.readlinkSync(`/${dir}`);
      fs.mkdirSync(path.join(root, path.resolve('/', target)), { recursive: true });
      fs.symlinkSync(target, path.join(root, dir));
    }
  }
  const bin = path.join(root, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const busybox = '/bin/busybox';
  const ldd = spawnSync('ldd', [busybox], { encoding: 'utf8' });
  if (!/not a dynamic executable|statically linked/.test(`${ldd.stdout}${ldd.stderr}`)) {
    throw new Error(`${busybox} is not statically linked: install busybox-static (apt-get install busybox-static)`);
  }
  fs.copyFileSync(busybox, path.join(bin, 'busybox'));
  fs.chmodSync(path.join(bin, 'busybox'), 0o755);
  for (const applet of run(busybox, ['--list']).split('\n').filter(Boolean)) {
    const link = path.join(bin, applet);
    if (applet !== 'busybox' && !fs.existsSync(link)) fs.symlinkSync('busybox', link);
  }
  for (const dir of ['etc', 'root', 'tmp', 'home/ambit', 'usr/local/bin']) {
    fs.mkdirSync(path.join(root, dir), { recursive: true });
  }
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.chownSync(path.join(root, 'home/ambit'), 1000, 1000);
  fs.writeFileSync(
    path.join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\n' +
      (users === 'with-ambit' ? 'ambit:x:1000:1000:ambit:/home/ambit:/bin/sh\n' : '') +
      'nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nambit:x:1000:\nnogroup:x:65534:\n');
}

const TOOL_BINARIES = ['/usr/bin/git', '/usr/lib/git-core/git-remote-http', process.execPath];

function toolsRoot(root: string): void {
  busyboxRoot(root);
  copyIntoRoot(root, '/usr/bin/git');
  copyIntoRoot(root, '/usr/lib/git-core');
  if (fs.existsSync('/usr/share/git-core')) copyIntoRoot(root, '/usr/share/git-core');
  copyIntoRoot(root, process.execPath);
  if (process.execPath !== '/usr/bin/node') fs.symlinkSync(process.execPath, path.join(root, 'usr/local/bin/node'));
  for (const binary of TOOL_BINARIES) for (const lib of sharedLibraries(binary)) copyIntoRoot(root, lib);
}

async function importRoot(docker: Docker, image: string, label: string, build: (root: string) => void) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-rootfs-'));
  try {
    build(root);
    const tar = spawn('tar', ['-C', root, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => tar.on('close', resolve));
    const [repo, tag] = image.split(':');
    const stream = (await docker.importImage(tar.stdout, {
      repo,
      tag,
      changes: [`LABEL ${RECIPE_LABEL}=${label}`, 'ENV PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin'],
    })) as Readable;
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
    );
    const code = await exited;
    if (code !== 0) throw new Error(`tar of the ${image} root file system exited with ${code}`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function imageLabel(docker: Docker, image: string): Promise<string | undefined> {
  try {
    const info = await docker.getImage(image).inspect();
    return info.Config.Labels?.[RECIPE_LABEL];
  } catch {
    return undefined;
  }
}

async function ensureImage(docker: Docker, image: string, inputs: string[], build: (root: string) => void) {
  const label = fingerprint(inputs);
  if ((await imageLabel(docker, image)) === label) return;
  await importRoot(docker, image, label, build);
}

/** Builds (or finds) the test images. */
export async function ensureTestImages(docker: Docker): Promise<{ busybox: string; tools: string; nobody: string }> {
  await ensureImage(docker, BUSYBOX_IMAGE, ['/bin/busybox'], (root) => busyboxRoot(root));
  await ensureImage(docker, NOBODY_IMAGE, ['/bin/busybox'], (root) => busyboxRoot(root, 'nobody-only'));
  await ensureImage(docker, TOOLS_IMAGE, ['/bin/busybox', ...TOOL_BINARIES], toolsRoot);
  return { busybox: BUSYBOX_IMAGE, tools: TOOLS_IMAGE, nobody: NOBODY_IMAGE };
}

/** Run ids unique to one test file, so its leak check sees only what it created. */
export function runIdPrefix(suite: string): string {
  return `t${crypto.randomBytes(3).toString('hex')}-${suite}-`;
}

/** Ambit containers and volumes on the engine, optionally only those of run ids with a prefix. */
export async function managedResources(
  docker: Docker,
  prefix = '',
): Promise<{ containers: string[]; volumes: string[] }> {
  const containers = await docker.listContainers({ all: true, filters: { label: [MANAGED_FILTER] } });
  const volumes = await docker.listVolumes({ filters: { label: [MANAGED_FILTER] } });
  return {
    containers: containers
      .filter((c) => (c.Labels[LABEL_RUN_ID] ?? '').startsWith(prefix))
      .map((c) => c.Names[0] ?? c.Id),
    volumes: (volumes.Volumes ?? [])
      .filter((v) => (v.Labels?.[LABEL_RUN_ID] ?? '').startsWith(prefix))
      .map((v) => v.Name),
  };
}

/**
 * The address containers on the default bridge reach the host at: the bridge's gateway, which Docker leaves out of
 * the default bridge's IPAM config when it is the first address of the subnet (its default).
 */
export async function bridgeGateway(docker: Docker): Promise<string> {
  const net = (await docker.getNetwork('bridge').inspect()) as {
    IPAM?: { Config?: { Gateway?: string; Subnet?: string }[] };
  };
  const config = net.IPAM?.Config?.find((c) => c.Subnet?.includes('.'));
  if (config?.Gateway) return config.Gateway;
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/\d+$/.exec(config?.Subnet ?? '');
  if (!m) throw new Error("the engine's bridge network has no IPv4 subnet: start dockerd without --bridge=none");
  const base = ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
  const first = base + 1;
  return [first >>> 24, (first >>> 16) & 255, (first >>> 8) & 255, first & 255].join('.');
}
