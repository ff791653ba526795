/**
 * `ambit secret ...` as a user runs it (`node bin/ambit.js` in a child process) against the real API: the value goes
 * in on standard input or from a file — never on the command line — and is never printed.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSecretValues } from '../../src/secrets';
import { createTeam, startHarness, type Harness, type TeamKeys } from '../api/helpers';
import { BIN, ROOT, type CliResult } from './spawn-cli';

/** Runs the CLI with `stdin` piped in (the value), a clean environment, and the args as given. */
function ambit(args: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const value = () => `cli-${crypto.randomBytes(12).toString('hex')}`;

describe('ambit secret', () => {
  let h: Harness;
  let team: TeamKeys;
  let asAdmin: Record<string, string>;
  let asMember: Record<string, string>;
  let dir: string;

  beforeAll(async () => {
    h = await startHarness('postgres', { env: { AMBIT_MASTER_KEY: crypto.randomBytes(32).toString('base64') } });
    team = await createTeam(h.db, 'cli-secret');
    asAdmin = { AMBIT_API_URL: h.url, AMBIT_API_KEY: team.admin };
    asMember = { AMBIT_API_URL: h.url, AMBIT_API_KEY: team.member };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-cli-secret-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await h?.close();
  });

  const stored = async (name: string, userId?: string) =>
    (await readSecretValues(h.db, h.config, { teamId: team.teamId, names: [name], userId }))[name];

  test('create reads the value from standard input (one final newline dropped) and never prints it', async () => {
    const v = value();
    const args = ['secret', 'create', 'PIPED_TOKEN', '--description', 'from stdin'];
    const res = await ambit(args, asAdmin, `${v}\n`);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Created team secret PIPED_TOKEN \(sec_/);
    expect(args.join(' ')).not.toContain(v);
    expect(res.stdout + res.stderr).not.toContain(v);
    expect(await stored('PIPED_TOKEN')).toBe(v);
  });

  test('--value-file reads a file; --personal makes it the caller’s own', async () => {
    const v = value();
    const file = path.join(dir, 'token.txt');
    fs.writeFileSync(file, `${v}\n`, { mode: 0o600 });
    const res = await ambit(
      ['secret', 'create', 'FILE_TOKEN', '--value-file', file, '--personal', '-o', 'json'],
      asMember,
    );
    expect(res.code).toBe(0);
    const item = JSON.parse(res.stdout) as { name: string; scope: { type: string } };
    expect(item).toMatchObject({ name: 'FILE_TOKEN', scope: { type: 'User' } });
    expect(res.stdout).not.toContain(v);
    expect(await stored('FILE_TOKEN', team.users.member)).toBe(v);
    expect(await stored('FILE_TOKEN')).toBeUndefined();
  });

  test('list and get show metadata only; update takes a new value from stdin; delete by name', async () => {
    const v1 = value();
    const v2 = value();
    expect((await ambit(['secret', 'create', 'CHANGING'], asAdmin, v1)).code).toBe(0);
    const list = await ambit(['secret', 'list'], asAdmin);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/NAME\s+SCOPE\s+ID/);
    expect(list.stdout).toMatch(/CHANGING\s+team\s+sec_/);
    const get = await ambit(['secret', 'get', 'CHANGING', '-o', 'json'], asAdmin);
    expect(JSON.parse(get.stdout)).toMatchObject({ name: 'CHANGING' });
    const upd = await ambit(['secret', 'update', 'CHANGING'], asAdmin, `${v2}\n`);
    expect(upd.code).toBe(0);
    expect(upd.stdout).toMatch(/Updated team secret CHANGING/);
    expect(await stored('CHANGING')).toBe(v2);
    const descOnly = await ambit(['secret', 'update', 'CHANGING', '--keep-value', '--description', 'd'], asAdmin);
    expect(descOnly.code).toBe(0);
    expect(await stored('CHANGING')).toBe(v2);
    for (const out of [list, get, upd, descOnly])
      expect(out.stdout + out.stderr).not.toMatch(new RegExp(`${v1}|${v2}`));
    const del = await ambit(['secret', 'delete', 'CHANGING'], asAdmin);
    expect(del.stdout).toMatch(/Deleted team secret CHANGING/);
    expect(await stored('CHANGING')).toBeUndefined();
  });

  test('a bad name is refused before any value is read; an empty value and a member’s team secret fail clearly', async () => {
    const bad = await ambit(['secret', 'create', 'not-a-name'], asAdmin, 'whatever');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/NAME must be an environment variable name/);
    const empty = await ambit(['secret', 'create', 'EMPTY_ONE'], asAdmin, '');
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toMatch(/the secret value is empty: pipe it on standard input/);
    const v = value();
    const member = await ambit(['secret', 'create', 'TEAM_BY_MEMBER'], asMember, v);
    expect(member.code).not.toBe(0);
    expect(member.stderr).toMatch(/members may not create team secrets/);
    expect(member.stderr).not.toContain(v);
  });
});
