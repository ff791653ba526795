import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const file = process.env['AMBIT_TEST_STATE_FILE'];
  if (!file || !fs.existsSync(file)) return;
  const { pid } = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: number };
  fs.rmSync(file, { force: true });
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, 'SIGKILL');
}
