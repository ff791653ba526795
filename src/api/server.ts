import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type ApiDeps } from './app';

export interface ApiServer {
  /** Base URL, e.g. http://127.0.0.1:3000 (the API lives under /api/v1). */
  url: string;
  close(): Promise<void>;
}

/** Grace period for requests in flight when closing; idle keep-alive sockets are closed at once. */
const CLOSE_GRACE_MS = 5_000;

export async function startApiServer(options: ApiDeps & { port: number; host: string }): Promise<ApiServer> {
  const { port, host, ...deps } = options;
  const server = http.createServer(createApp(deps));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPart}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close((err) => {
          clearTimeout(force);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
