/**
 * `ambit api-key ...` and `ambit member ...` as a user runs them (`node bin/ambit.js` in a child process) against the
 * real API over a real PostgreSQL database: the key is printed once and works, listings never show it, expiry
 * takes effect, and errors are one line.
 */
import type { ApiKeyItem, CreatedApiKey, ListApiKeysResponse, ListMembersResponse, MemberItem } from '../../src/client';
import { createTeam, startHarness, type Harness, type TeamKeys } from '../api/helpers';
import { lines, runAmbit } from './spawn-cli';

describe('ambit api-key and ambit member', () => {
  let h: Harness;
  let team: TeamKeys;
  let as: (key: string) => Record<string, string>;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'cli-keys');
    as = (key) => ({ AMBIT_API_URL: h.url, AMBIT_API_KEY: key });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('create prints the key once with a warning; the key works; list never shows it', async () => {
    const res = await runAmbit(['api-key', 'create', '--name', 'laptop', '--expires', '30d'], as(team.member));
    expect(res.code).toBe(0);
    const out = lines(res.stdout);
    expect(out[0]).toMatch(/^Created personal API key key_[0-9a-f-]+ \(laptop\), expires \d{4}-\d\d-\d\dT/);
    expect(out[1]).toBe('Copy it now: it is not stored and will not be shown again.');
    const key = out[2]!.trim();
    expect(key).toMatch(/^ambit_[A-Za-z0-9]{40}$/);

    const listed = await runAmbit(['api-key', 'list'], as(key));
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('laptop');
    expect(listed.stdout).toContain(`${key.slice(0, 12)}…`);
    expect(listed.stdout).not.toContain(key);
    const json = JSON.parse((await runAmbit(['api-key', 'list', '-o', 'json'], as(key))).stdout) as ListApiKeysResponse;
    expect(json.api_keys.every((k) => k.user?.uid === team.users.member)).toBe(true);
    expect(JSON.stringify(json)).not.toContain(key);
  });

  test('-o text prints only the key (for scripts), -o json the whole answer with it', async () => {
    const text = await runAmbit(
      ['api-key', 'create', '--name', 'ci', '--team', '--expires', 'never', '-o', 'text'],
      as(team.admin),
    );
    expect(text.code).toBe(0);
    expect(lines(text.stdout)).toEqual([expect.stringMatching(/^ambit_[A-Za-z0-9]{40}$/)]);
    const json = await runAmbit(['api-key', 'create', '--name', 'json', '-o', 'json'], as(team.admin));
    const created = JSON.parse(json.stdout) as CreatedApiKey;
    expect(created).toMatchObject({ name: 'json', scope: 'personal', state: 'active' });
    expect(created.key).toMatch(/^ambit_/);
    // The team key made above acts as an admin.
    expect((await runAmbit(['member', 'list', '-o', 'json'], as(text.stdout.trim()))).code).toBe(0);
  });

  test('expire stops the key: the next command with it fails with a one-line 401', async () => {
    const created = JSON.parse(
      (await runAmbit(['api-key', 'create', '--name', 'temp', '-o', 'json'], as(team.member))).stdout,
    ) as CreatedApiKey;
    const expired = await runAmbit(['api-key', 'expire', created.id, '-o', 'json'], as(team.member));
    expect(expired.code).toBe(0);
    expect((JSON.parse(expired.stdout) as ApiKeyItem).state).toBe('revoked');
    const refused = await runAmbit(['api-key', 'list'], as(created.key));
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toContain('unknown, revoked or expired');
    // The key itself is never echoed in the error.
    expect(refused.stderr).not.toContain(created.key);
  });

  test('bad flags are usage errors (exit 2) naming the flag', async () => {
    const bad = await runAmbit(['api-key', 'create', '--name', 'x', '--expires', '7d'], as(team.member));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--expires must be one of 1d, 30d, 90d, never');
    const noName = await runAmbit(['api-key', 'create'], as(team.member));
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--name is required');
    expect(await h.db.apiKey.count({ where: { teamId: team.teamId, name: 'x' } })).toBe(0);
  });

  test('member add, update, list and remove; the last admin is kept', async () => {
    const address = `cli-${team.teamId}@example.com`;
    const added = await runAmbit(
      ['member', 'add', '--email', address, '--name', 'Grace', '--role', 'viewer', '-o', 'json'],
      as(team.admin),
    );
    expect(added.code).toBe(0);
    const member = JSON.parse(added.stdout) as MemberItem;
    expect(member).toMatchObject({ user: { email: address, display_name: 'Grace' }, role: 'viewer' });

    const updated = await runAmbit(['member', 'update', member.user.uid, '--role', 'member'], as(team.admin));
    expect(updated.stdout.trim()).toBe(`Updated Grace (${member.user.uid}) as member.`);
    const list = JSON.parse(
      (await runAmbit(['member', 'list', '-o', 'json'], as(team.admin))).stdout,
    ) as ListMembersResponse;
    expect(list.members.find((m) => m.user.uid === member.user.uid)?.role).toBe('member');
    const table = await runAmbit(['member', 'list'], as(team.admin));
    expect(lines(table.stdout)[0]).toMatch(/^USER ID\s+NAME\s+EMAIL\s+ROLE\s+JOINED$/);

    const lastAdmin = await runAmbit(['member', 'remove', team.users.admin], as(team.admin));
    expect(lastAdmin.code).toBe(1);
    expect(lines(lastAdmin.stderr)).toHaveLength(1);
    expect(lastAdmin.stderr).toContain('last admin and cannot be removed');
    const removed = await runAmbit(['member', 'remove', member.user.uid], as(team.admin));
    expect(removed.stdout.trim()).toBe(`Removed ${member.user.uid} from the team.`);

    const refused = await runAmbit(['member', 'list'], as(team.member));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('members may not list members');
    const both = await runAmbit(['member', 'add', '--email', address, '--user', 'u1'], as(team.admin));
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give exactly one of --email');
  });
});
