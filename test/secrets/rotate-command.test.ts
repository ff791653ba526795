/**
 * The operator's commands as run from a shell: `npm run secrets:rotate` against a real PostgreSQL database, and
 * production start-up refusing to run without a master key.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { readSecretValues, sealSecretValue } from '../../src/secrets';
import { runCommand } from '../cli/spawn-cli';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const b64 = (k: Buffer) => k.toString('base64');

describe('npm run secrets:rotate', () => {
  let database: TestDatabase;
  let dataDir: string;
  const oldKey = crypto.randomBytes(32);
  const newKey = crypto.randomBytes(32);
  const value = `rot-${crypto.randomBytes(12).toString('hex')}`;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-rotate-'));
    await database.db.team.create({ data: { id: 'rot-team', name: 'Rotation' } });
    await database.db.secret.create({
      data: {
        id: 'sec_rot1',
        teamId: 'rot-team',
        scope: 'Team',
        ownerKey: '',
        name: 'ROTATED',
        ...sealSecretValue(oldKey, 'sec_rot1', value),
      },
    });
  });
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database?.close();
  });

  const rotate = (env: Record<string, string>) =>
    runCommand(
      'npm',
      ['run', '--silent', 'secrets:rotate'],
      {
        DATABASE_URL: database.url,
        AMBIT_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        ...env,
      },
      120_000,
    );

  test('re-wraps to the new key, is idempotent, and refuses keys that wrap nothing', async () => {
    const wrong = await rotate({
      AMBIT_MASTER_KEY: b64(newKey),
      AMBIT_MASTER_KEY_PREVIOUS: b64(crypto.randomBytes(32)),
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/neither AMBIT_MASTER_KEY .* nothing was changed/);

    const first = await rotate({ AMBIT_MASTER_KEY: b64(newKey), AMBIT_MASTER_KEY_PREVIOUS: b64(oldKey) });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Re-wrapped 1 secret\(s\) from key [0-9a-f]{16} to [0-9a-f]{16}; 0 already used it/);
    const again = await rotate({ AMBIT_MASTER_KEY: b64(newKey), AMBIT_MASTER_KEY_PREVIOUS: b64(oldKey) });
    expect(again.stdout).toMatch(/Re-wrapped 0 secret\(s\).*; 1 already used it/);

    const config = loadConfig({ AMBIT_MASTER_KEY: b64(newKey), AMBIT_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    expect(await readSecretValues(database.db, config, { teamId: 'rot-team', names: ['ROTATED'] })).toEqual({
      ROTATED: value,
    });
    const missing = await rotate({});
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(
      /AMBIT_MASTER_KEY \(the new key\) is required; create one with `openssl rand -base64 32`/,
    );
  });

  test('production start-up refuses to run without AMBIT_MASTER_KEY, saying how to create one', async () => {
    // The worker entry point (npm run worker); the API entry point checks the same configuration first.
    const res = await runCommand(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      AMBIT_DATA_DIR: dataDir,
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/AMBIT_MASTER_KEY: required when NODE_ENV=production.*openssl rand -base64 32/s);
  });
});
