import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../../src/db/client';
import { startEmbeddedDatabase } from '../../src/db/embedded';
import { applyMigrations } from '../../src/db/migrate';

describe('embedded database (PGlite over the wire)', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambit-embedded-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps its data under dataDir/pglite across a stop and a start', async () => {
    const first = await startEmbeddedDatabase({ dataDir, port: 0 });
    expect(first.url).toBe(`postgres://postgres:postgres@127.0.0.1:${first.port}/postgres`);
    expect(first.port).toBeGreaterThan(0);
    await applyMigrations({ url: first.url });
    const db = createDb(first.url);
    await db.team.create({ data: { id: 'persisted', name: 'Survives restarts' } });
    await db.$disconnect();
    await first.stop();
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);

    const second = await startEmbeddedDatabase({ dataDir, port: 0 });
    const again = createDb(second.url);
    try {
      const migrated = await applyMigrations({ url: second.url });
      expect(migrated.applied).toEqual([]);
      expect(await again.team.findUnique({ where: { id: 'persisted' } })).toMatchObject({ name: 'Survives restarts' });
    } finally {
      await again.$disconnect();
      await second.stop();
    }
  });

  it('explains a port already in use, naming AMBIT_EMBEDDED_DB_PORT', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await expect(startEmbeddedDatabase({ dataDir, port })).rejects.toThrow(
        new RegExp(`Port ${port} .* already in use.*AMBIT_EMBEDDED_DB_PORT`),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The failed start released the data directory: a later start on it works.
    const db = await startEmbeddedDatabase({ dataDir, port: 0 });
    await db.stop();
  });

  it('serves concurrent queries and interactive transactions from several clients without mixing them up', async () => {
    const server = await startEmbeddedDatabase({ dataDir, port: 0 });
    await applyMigrations({ url: server.url });
    // Two processes' pools (API and worker), each with several connections, on one single-session PGlite.
    const api = createDb(server.url, { maxConnections: 10 });
    const worker = createDb(server.url, { maxConnections: 10 });
    try {
      await api.team.create({ data: { id: 't', name: 'T' } });
      const run = (id: string) => ({
        id,
        teamId: 't',
        creatorType: 'user',
        scopeType: 'User',
        title: id,
        prompt: 'p',
        state: 'QUEUED',
        source: 'API',
        executionLocation: 'local',
        requestConfig: {},
        conversationId: id,
      });
      const jobs: Promise<unknown>[] = [];
      for (let i = 0; i < 60; i++) {
        const db = i % 2 === 0 ? api : worker;
        jobs.push(
          db
            .$transaction(async (tx) => {
              await tx.run.create({ data: { ...run(`r${i}`), metadata: { i } } });
              await tx.run.update({ where: { id: `r${i}` }, data: { lastTurn: { increment: 1 } } });
              if (i % 5 === 0) throw new Error('roll back');
            })
            .catch((err: unknown) => {
              if ((err as Error).message !== 'roll back') throw err;
            }),
        );
        jobs.push(db.run.findMany({ where: { metadata: { path: ['i'], equals: i } } }));
        jobs.push(
          db.$queryRaw<{ x: number }[]>`SELECT ${i}::int AS x`.then((rows) => {
            if (rows[0]?.x !== i) throw new Error(`query ${i} got another connection's answer: ${rows[0]?.x}`);
          }),
        );
      }

      const results = await Promise.allSettled(jobs);

      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failures.map((f) => String(f.reason))).toEqual([]);
      const runs = await worker.run.findMany({ select: { id: true, lastTurn: true } });
      expect(runs).toHaveLength(48);
      expect(runs.every((r) => r.lastTurn === 1)).toBe(true);
      expect(runs.some((r) => r.id === 'r0' || r.id === 'r5')).toBe(false);
    } finally {
      await api.$disconnect();
      await worker.$disconnect();
      await server.stop();
    }
  });

  it('refuses a second server on a data directory in use, and takes over one left by a dead process', async () => {
    const first = await startEmbeddedDatabase({ dataDir, port: 0 });
    try {
      await expect(startEmbeddedDatabase({ dataDir, port: 0 })).rejects.toThrow(
        new RegExp(`already in use by process ${process.pid} \\(serving ${first.url.replace(/[/.]/g, '\\$&')}\\)`),
      );
    } finally {
      await first.stop();
    }
    expect(fs.existsSync(path.join(dataDir, 'pglite.lock'))).toBe(false);
    // A crashed process leaves its lock behind; a pid that cannot exist stands in for it.
    fs.writeFileSync(path.join(dataDir, 'pglite.lock'), JSON.stringify({ pid: 2 ** 22 + 1 }));

    const second = await startEmbeddedDatabase({ dataDir, port: 0 });

    await second.stop();
  });

  it('rejects a missing dataDir with a message naming it', async () => {
    await expect(startEmbeddedDatabase({ dataDir: '', port: 0 })).rejects.toThrow(/dataDir/);
  });
});
