/** The queries the API's run listing relies on, checked on both kinds of database Ambit runs on. */
import { type Prisma } from '../../src/generated/prisma/client';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/database';

describe.each(DB_KINDS)('run queries on %s', (kind) => {
  let t: TestDatabase;

  const run = (id: string, fields: Partial<Prisma.RunUncheckedCreateInput> = {}): Prisma.RunUncheckedCreateInput => ({
    id,
    teamId: 'team-q',
    creatorType: 'user',
    scopeType: 'User',
    title: id,
    prompt: 'p',
    state: 'QUEUED',
    source: 'API',
    executionLocation: 'local',
    requestConfig: {},
    conversationId: `conv-${id}`,
    ...fields,
  });

  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await t.db.team.create({ data: { id: 'team-q', name: 'Queries' } });
    await t.db.team.create({ data: { id: 'team-other', name: 'Other' } });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await t.db.run.deleteMany();
  });

  it('filters on a metadata key with a JSON path, and by jsonb containment in raw SQL', async () => {
    await t.db.run.createMany({
      data: [
        run('m1', { metadata: { repo: 'ambit', pr: 7 } }),
        run('m2', { metadata: { repo: 'other', pr: 7 } }),
        run('m3', { metadata: {} }),
        run('m4', { teamId: 'team-other', metadata: { repo: 'ambit' } }),
      ],
    });

    const byPath = await t.db.run.findMany({
      where: { teamId: 'team-q', metadata: { path: ['repo'], equals: 'ambit' } },
      select: { id: true },
    });
    const contained = await t.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM runs WHERE team_id = 'team-q' AND metadata @> ${JSON.stringify({ pr: 7 })}::jsonb ORDER BY id`;

    expect(byPath.map((r) => r.id)).toEqual(['m1']);
    expect(contained.map((r) => r.id)).toEqual(['m1', 'm2']);
  });

  it('finds the descendants of a run through ancestorRunIds', async () => {
    await t.db.run.createMany({
      data: [
        run('root'),
        run('child', { parentRunId: 'root', ancestorRunIds: ['root'] }),
        run('grandchild', { parentRunId: 'child', ancestorRunIds: ['root', 'child'] }),
        run('unrelated', { ancestorRunIds: ['elsewhere'] }),
      ],
    });

    const underRoot = await t.db.run.findMany({ where: { ancestorRunIds: { has: 'root' } }, orderBy: { id: 'asc' } });
    const underChild = await t.db.run.findMany({ where: { ancestorRunIds: { has: 'child' } } });
    const rootRow = await t.db.run.findUniqueOrThrow({ where: { id: 'root' } });

    expect(underRoot.map((r) => r.id)).toEqual(['child', 'grandchild']);
    expect(underChild.map((r) => r.id)).toEqual(['grandchild']);
    expect(rootRow.ancestorRunIds).toEqual([]);
  });

  it('pages by (updatedAt desc, id desc) with a keyset cursor, ties included, without gaps or repeats', async () => {
    const base = Date.parse('2030-05-01T12:00:00.000Z');
    // Several runs share an updatedAt, so the id is what orders them and what the cursor must carry.
    const stamps = [0, 0, 0, 1000, 1000, 2000, 3000, 3000, 3000, 4000, 5000];
    await t.db.run.createMany({
      data: stamps.map((offset, i) => run(`k${String(i).padStart(2, '0')}`, { updatedAt: new Date(base + offset) })),
    });
    await t.db.run.create({ data: run('other-team', { teamId: 'team-other', updatedAt: new Date(base) }) });
    const expected = (await t.db.run.findMany({ where: { teamId: 'team-q' }, select: { id: true, updatedAt: true } }))
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((r) => r.id);

    const seen: string[] = [];
    let cursor: { updatedAt: Date; id: string } | undefined;
    for (let page = 0; page < 10; page++) {
      const rows = await t.db.run.findMany({
        where: {
          teamId: 'team-q',
          ...(cursor && {
            OR: [{ updatedAt: { lt: cursor.updatedAt } }, { updatedAt: cursor.updatedAt, id: { lt: cursor.id } }],
          }),
        },
        orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
        take: 4,
        select: { id: true, updatedAt: true },
      });
      seen.push(...rows.map((r) => r.id));
      const last = rows.at(-1);
      if (rows.length < 4 || !last) break;
      cursor = { updatedAt: last.updatedAt, id: last.id };
    }

    expect(seen).toEqual(expected);
    expect(seen[0]).toBe('k10');
    expect(seen.slice(-3)).toEqual(['k02', 'k01', 'k00']);
  });

  it('keeps millisecond timestamps exact through a round trip, so cursors built from them match', async () => {
    const at = new Date('2030-05-01T12:00:00.123Z');
    await t.db.run.create({ data: run('ms', { updatedAt: at }) });

    const found = await t.db.run.findMany({ where: { updatedAt: at } });

    expect(found.map((r) => r.id)).toEqual(['ms']);
    expect(found[0]?.updatedAt.toISOString()).toBe(at.toISOString());
  });

  it('runs interactive transactions that roll back as a whole', async () => {
    await expect(
      t.db.$transaction(async (tx) => {
        await tx.run.create({ data: run('tx1') });
        await tx.run.create({ data: run('tx1') });
      }),
    ).rejects.toThrow();

    expect(await t.db.run.count({ where: { id: 'tx1' } })).toBe(0);
  });
});
