/**
 * Starts one real Temporal dev server (in memory) for the whole suite and checks that the real PostgreSQL the
 * suite needs is reachable. A missing component fails the run loudly: nothing is skipped.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { resolveTemporalCli, startTemporalDevServer } from '../../src/launcher/temporal-cli';
import { freePort } from './net';

export const STATE_FILE = path.join(os.tmpdir(), `ambit-jest-${process.ppid}-${process.pid}.json`);

export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const pgUrl = process.env['AMBIT_TEST_POSTGRES_URL'];
  if (!pgUrl) {
    throw new Error(
      'AMBIT_TEST_POSTGRES_URL is not set. The suite runs against a real PostgreSQL: start one and set e.g. ' +
        'AMBIT_TEST_POSTGRES_URL=postgres://postgres:postgres@127.0.0.1:5432/postgres (.ci/run does this).',
    );
  }
  const pg = new PgClient({ connectionString: pgUrl });
  try {
    await pg.connect();
    await pg.query('select 1');
  } catch (err) {
    throw new Error(`PostgreSQL at AMBIT_TEST_POSTGRES_URL is not reachable: ${(err as Error).message}`);
  } finally {
    await pg.end().catch(() => undefined);
  }

  let address = process.env['AMBIT_TEST_TEMPORAL_ADDRESS'];
  let pid: number | undefined;
  if (!address) {
    const cliPath = await resolveTemporalCli({
      explicitPath: process.env['TEMPORAL_CLI_PATH'],
      toolsDir: path.join(root, '.tools'),
      onProgress: (m) => process.stderr.write(`${m}\n`),
    });
    const port = await freePort();
    const logDir = path.join(root, 'test-results');
    fs.mkdirSync(logDir, { recursive: true });
    const server = await startTemporalDevServer({
      cliPath,
      port,
      logFile: path.join(logDir, 'temporal-dev-server.log'),
    });
    address = server.address;
    pid = server.pid;
    process.env['AMBIT_TEST_TEMPORAL_ADDRESS'] = address;
    process.env['AMBIT_TEST_TEMPORAL_CLI'] = cliPath;
  }
  fs.writeFileSync(STATE_FILE, JSON.stringify({ address, pid }));
  process.env['AMBIT_TEST_STATE_FILE'] = STATE_FILE;
}
