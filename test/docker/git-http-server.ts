/**
 * A git server over HTTP for the clone tests: git's "dumb" HTTP protocol (static files of a bare repository after
 * `git update-server-info`), behind Basic authentication with a token, as GitHub accepts `x-access-token:<token>`.
 * Real git clients speak it; it records who asked for what so tests can see where a clone ran and with which
 * credentials.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface GitHttpRequest {
  url: string;
  remoteAddress: string;
  authorized: boolean;
  authorization?: string;
}

export interface GitHttpServer {
  /** Base URL without credentials, e.g. http://172.17.0.1:39123 */
  url: string;
  requests: GitHttpRequest[];
  close(): Promise<void>;
}

export async function startGitHttpServer(options: {
  root: string;
  host: string;
  username: string;
  token: string;
}): Promise<GitHttpServer> {
  const expected = `Basic ${Buffer.from(`${options.username}:${options.token}`).toString('base64')}`;
  const requests: GitHttpRequest[] = [];
  const server = http.createServer((req, res) => {
    const authorization = req.headers.authorization;
    const authorized = authorization === expected;
    requests.push({
      url: req.url ?? '',
      remoteAddress: req.socket.remoteAddress ?? '',
      authorized,
      ...(authorization ? { authorization } : {}),
    });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.resolve(options.root, `.${pathname}`);
    if (!file.startsWith(options.root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, options.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
