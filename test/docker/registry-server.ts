/**
 * A container registry on 127.0.0.1 for the pull tests, speaking the distribution API v2 that Docker pulls with
 * (`GET /v2/`, manifests, blobs, Basic authentication). No registry is reachable from CI, so it serves an image the
 * tests built locally: `docker save` gives its config and layers, which become a schema 2 manifest and gzipped
 * layer blobs. The engine treats 127.0.0.0/8 registries as insecure (plain HTTP) by default.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type Docker from 'dockerode';

const MANIFEST_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';

export interface RegistryServer {
  /** host:port, the registry part of image references. */
  host: string;
  /** Paths of the requests served, in order. */
  requests: string[];
  close(): Promise<void>;
}

function sha256(data: Buffer): string {
  return `sha256:${crypto.createHash('sha256').update(data).digest('hex')}`;
}

function tarOf(dir: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tar = spawn('tar', ['-C', dir, '--numeric-owner', '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    tar.stdout.on('data', (b: Buffer) => chunks.push(b));
    tar.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`tar exited ${code}`))));
  });
}

/**
 * A layer holding one file, appended to an image config: the served image then has content the engine does not,
 * so a pull really downloads and extracts a layer.
 */
async function addLayer(
  image: { config: Buffer; layers: Buffer[] },
  file: { path: string; content: string },
): Promise<{ config: Buffer; layers: Buffer[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-layer-'));
  try {
    const target = path.join(dir, file.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, file.content);
    const layer = await tarOf(dir);
    const config = JSON.parse(image.config.toString('utf8')) as {
      rootfs: { diff_ids: string[] };
      history?: { created_by?: string }[];
    };
    config.rootfs.diff_ids.push(sha256(layer));
    config.history = [...(config.history ?? []), { created_by: `ambit test layer ${file.path}` }];
    return { config: Buffer.from(JSON.stringify(config)), layers: [...image.layers, zlib.gzipSync(layer)] };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Exports a local image with `docker save` and unpacks the archive with the host's tar. */
async function saveImage(docker: Docker, image: string): Promise<{ config: Buffer; layers: Buffer[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-registry-'));
  try {
    const archive = (await docker.getImage(image).get()) as Readable;
    const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => tar.on('close', resolve));
    archive.pipe(tar.stdin);
    if ((await exited) !== 0) throw new Error(`could not unpack docker save of ${image}`);
    const [entry] = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      Config: string;
      Layers: string[];
    }[];
    if (!entry) throw new Error(`docker save of ${image} has no manifest entry`);
    return {
      config: fs.readFileSync(path.join(dir, entry.Config)),
      layers: entry.Layers.map((layer) => zlib.gzipSync(fs.readFileSync(path.join(dir, layer)))),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Serves `source` (a local image) as `<repository>:<tag>`, requiring the credentials when given. */
export async function startRegistry(options: {
  docker: Docker;
  source: string;
  repository: string;
  tag: string;
  credentials?: { username: string; password: string };
  /** A file added in a layer of its own on top of the source image. */
  extraFile?: { path: string; content: string };
}): Promise<RegistryServer> {
  const saved = await saveImage(options.docker, options.source);
  const { config, layers } = options.extraFile ? await addLayer(saved, options.extraFile) : saved;
  const blobs = new Map<string, Buffer>([[sha256(config), config]]);
  for (const layer of layers) blobs.set(sha256(layer), layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST_TYPE,
      config: {
        mediaType: 'application/vnd.docker.container.image.v1+json',
        size: config.length,
        digest: sha256(config),
      },
      layers: layers.map((layer) => ({
        mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        size: layer.length,
        digest: sha256(layer),
      })),
    }),
  );
  const manifestDigest = sha256(manifest);
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`
    : undefined;
  const requests: string[] = [];
  const notFound = (res: http.ServerResponse, code: string) =>
    res
      .writeHead(404, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ errors: [{ code, message: code.toLowerCase().replace('_', ' ') }] }));

  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (expected && req.headers.authorization !== expected) {
      res
        .writeHead(401, { 'WWW-Authenticate': 'Basic realm="ambit-test"', 'Content-Type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    if (url === '/v2/' || url === '/v2') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url);
    if (!m || m[1] !== options.repository) {
      notFound(res, 'NAME_UNKNOWN');
      return;
    }
    const [, , kind, reference] = m;
    let body: Buffer | undefined;
    let type = 'application/octet-stream';
    let digest = reference ?? '';
    if (kind === 'manifests') {
      if (reference !== options.tag && reference !== manifestDigest) {
        notFound(res, 'MANIFEST_UNKNOWN');
        return;
      }
      body = manifest;
      type = MANIFEST_TYPE;
      digest = manifestDigest;
    } else {
      body = blobs.get(reference ?? '');
      if (!body) {
        notFound(res, 'BLOB_UNKNOWN');
        return;
      }
    }
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Docker-Content-Digest': digest });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
