import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findPrincipalByApiKey, generateApiKey, hashApiKey } from '../../src/db/api-keys';
import { ensureDefaults } from '../../src/db/bootstrap';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/database';

describe('generateApiKey', () => {
  it('makes an ambit_ key of 40 base62 characters with its 12-character prefix and SHA-256 hash', () => {
    const keys = Array.from({ length: 50 }, () => generateApiKey());

    for (const k of keys) {
      expect(k.key).toMatch(/^ambit_[A-Za-z0-9]{40}$/);
      expect(k.prefix).toBe(k.key.slice(0, 12));
      expect(k.hash).toBe(crypto.createHash('sha256').update(k.key).digest('hex'));
      expect(hashApiKey(k.key)).toBe(k.hash);
    }
    expect(new Set(keys.map((k) => k.key)).size).toBe(keys.length);
  });
});

describe.each(DB_KINDS)('bootstrap and API keys on %s', (kind) => {
  let t: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    t = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-bootstrap-'));
    await t.db.apiKey.deleteMany();
    await t.db.membership.deleteMany();
    await t.db.user.deleteMany();
    await t.db.team.deleteMany();
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates the default team, admin user and membership once, however often it runs', async () => {
    const first = await ensureDefaults(t.db, { dataDir });
    const second = await ensureDefaults(t.db, { dataDir });

    expect(first).toMatchObject({ teamId: 'default', userId: 'admin' });
    expect(second).toMatchObject({ teamId: 'default', userId: 'admin' });
    expect(await t.db.team.findMany()).toEqual([expect.objectContaining({ id: 'default', name: 'Default team' })]);
    expect(await t.db.user.findMany()).toEqual([expect.objectContaining({ id: 'admin', displayName: 'Admin' })]);
    expect(await t.db.membership.findMany()).toEqual([
      expect.objectContaining({ teamId: 'default', userId: 'admin', role: 'admin' }),
    ]);
    expect(await t.db.apiKey.count()).toBe(1);
  });

  it('keeps a renamed team as the operator named it', async () => {
    await ensureDefaults(t.db, { dataDir });
    await t.db.team.update({ where: { id: 'default' }, data: { name: 'Platform' } });

    await ensureDefaults(t.db, { dataDir });

    expect(await t.db.team.findUnique({ where: { id: 'default' } })).toMatchObject({ name: 'Platform' });
  });

  it('registers AMBIT_BOOTSTRAP_API_KEY as an admin team key, once, and writes no development key', async () => {
    const bootstrapApiKey = crypto.randomBytes(24).toString('hex');

    const first = await ensureDefaults(t.db, { dataDir, bootstrapApiKey });
    const second = await ensureDefaults(t.db, { dataDir, bootstrapApiKey });

    expect(first.devKey).toBeUndefined();
    expect(second.devKey).toBeUndefined();
    expect(fs.existsSync(path.join(dataDir, 'dev-api-key'))).toBe(false);
    const keys = await t.db.apiKey.findMany();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ hash: hashApiKey(bootstrapApiKey), prefix: bootstrapApiKey.slice(0, 12) });
    const principal = await findPrincipalByApiKey(t.db, bootstrapApiKey);
    expect(principal).toEqual({
      keyId: keys[0]?.id,
      teamId: 'default',
      userId: 'admin',
      role: 'admin',
      scope: 'team',
    });
  });

  it('writes a development key to dataDir/dev-api-key, readable by its owner only, and reuses it', async () => {
    const first = await ensureDefaults(t.db, { dataDir });

    const file = path.join(dataDir, 'dev-api-key');
    expect(first.devKey?.file).toBe(file);
    expect(first.devKey?.key).toMatch(/^ambit_[A-Za-z0-9]{40}$/);
    expect(fs.readFileSync(file, 'utf8').trim()).toBe(first.devKey?.key);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await findPrincipalByApiKey(t.db, first.devKey?.key)).toMatchObject({
      teamId: 'default',
      userId: 'admin',
      role: 'admin',
    });

    const second = await ensureDefaults(t.db, { dataDir });

    expect(second.devKey).toEqual(first.devKey);
    expect(await t.db.apiKey.count()).toBe(1);
  });

  it('replaces a development key that was revoked', async () => {
    const first = await ensureDefaults(t.db, { dataDir });
    await t.db.apiKey.updateMany({ data: { revokedAt: new Date() } });

    const second = await ensureDefaults(t.db, { dataDir });

    expect(second.devKey?.key).toBeDefined();
    expect(second.devKey?.key).not.toBe(first.devKey?.key);
    expect(fs.readFileSync(path.join(dataDir, 'dev-api-key'), 'utf8').trim()).toBe(second.devKey?.key);
    expect(await findPrincipalByApiKey(t.db, first.devKey?.key)).toBeNull();
    expect(await findPrincipalByApiKey(t.db, second.devKey?.key)).not.toBeNull();
  });

  it('creates no development key when the team already has a usable key', async () => {
    await ensureDefaults(t.db, { dataDir, bootstrapApiKey: crypto.randomBytes(24).toString('hex') });

    const result = await ensureDefaults(t.db, { dataDir });

    expect(result.devKey).toBeUndefined();
    expect(fs.existsSync(path.join(dataDir, 'dev-api-key'))).toBe(false);
    expect(await t.db.apiKey.count()).toBe(1);
  });

  it('bootstraps once when two processes start together', async () => {
    const [a, b] = await Promise.all([ensureDefaults(t.db, { dataDir }), ensureDefaults(t.db, { dataDir })]);

    expect(a.devKey?.key).toBe(b.devKey?.key);
    expect(await t.db.apiKey.count()).toBe(1);
    expect(await t.db.team.count()).toBe(1);
  });

  it('rejects expired, revoked and unknown keys', async () => {
    await ensureDefaults(t.db, { dataDir });
    const expired = await addKey({ expiresAt: new Date(Date.now() - 1000) });
    const revoked = await addKey({ revokedAt: new Date(Date.now() - 1000) });
    const future = await addKey({ expiresAt: new Date(Date.now() + 3_600_000) });

    expect(await findPrincipalByApiKey(t.db, expired)).toBeNull();
    expect(await findPrincipalByApiKey(t.db, revoked)).toBeNull();
    expect(await findPrincipalByApiKey(t.db, generateApiKey().key)).toBeNull();
    expect(await findPrincipalByApiKey(t.db, '')).toBeNull();
    expect(await findPrincipalByApiKey(t.db, future)).not.toBeNull();
  });

  it("takes the role from the key's user's membership, and refuses a user no longer in the team", async () => {
    await ensureDefaults(t.db, { dataDir });
    await t.db.user.create({ data: { id: 'viewer-1', displayName: 'V' } });
    await t.db.membership.create({ data: { teamId: 'default', userId: 'viewer-1', role: 'viewer' } });
    const key = await addKey({ userId: 'viewer-1', scope: 'personal' });

    expect(await findPrincipalByApiKey(t.db, key)).toMatchObject({
      userId: 'viewer-1',
      role: 'viewer',
      scope: 'personal',
    });

    await t.db.membership.delete({ where: { teamId_userId: { teamId: 'default', userId: 'viewer-1' } } });
    expect(await findPrincipalByApiKey(t.db, key)).toBeNull();
  });

  it('lets a team key without a user act as admin', async () => {
    await ensureDefaults(t.db, { dataDir });
    const key = await addKey({ userId: null, scope: 'team' });

    expect(await findPrincipalByApiKey(t.db, key)).toMatchObject({ userId: null, role: 'admin', scope: 'team' });
  });

  it('records when a key was last used, at most once a minute', async () => {
    await ensureDefaults(t.db, { dataDir });
    const key = await addKey({});
    const start = new Date('2030-01-01T00:00:00.000Z');
    const lastUsed = async () => (await t.db.apiKey.findUnique({ where: { hash: hashApiKey(key) } }))?.lastUsedAt;

    await findPrincipalByApiKey(t.db, key, start);
    expect(await lastUsed()).toEqual(start);

    await findPrincipalByApiKey(t.db, key, new Date(start.getTime() + 30_000));
    expect(await lastUsed()).toEqual(start);

    const later = new Date(start.getTime() + 61_000);
    await findPrincipalByApiKey(t.db, key, later);
    expect(await lastUsed()).toEqual(later);
  });

  async function addKey(fields: {
    expiresAt?: Date;
    revokedAt?: Date;
    userId?: string | null;
    scope?: string;
  }): Promise<string> {
    const generated = generateApiKey();
    await t.db.apiKey.create({
      data: {
        id: `key_${crypto.randomUUID()}`,
        name: 'test',
        prefix: generated.prefix,
        hash: generated.hash,
        teamId: 'default',
        userId: fields.userId === undefined ? 'admin' : fields.userId,
        scope: fields.scope ?? 'team',
        expiresAt: fields.expiresAt,
        revokedAt: fields.revokedAt,
      },
    });
    return generated.key;
  }
});
