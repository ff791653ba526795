/**
 * Runs `prisma generate` offline. Every Prisma CLI command first fetches a native schema engine, which these
 * machines (and air-gapped installs) cannot reach; the `prisma-client` generator never uses that engine, so
 * any existing file satisfies the check.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const result = spawnSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
});
process.exit(result.status ?? 1);
