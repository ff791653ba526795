import type { Prisma } from '../../src/generated/prisma/client';
import { TERMINAL_STATES, type RunState } from '../../src/domain/run-state';
import { DB_KINDS } from '../helpers/database';
import { rejectionOf, runActivity, seedRun, startActivityHarness, type ActivityHarness } from './support';

describe.each(DB_KINDS)('run record activities on %s', (dbKind) => {
  let h: ActivityHarness;
  beforeAll(async () => {
    h = await startActivityHarness({ dbKind });
  });
  afterAll(async () => h?.close());

  describe('recordRunState', () => {
    const record = (runId: string, state: RunState, key: string, message?: string) =>
      runActivity(h.activities, 'recordRunState', {
        runId,
        state,
        key,
        ...(message ? { statusMessage: { message } } : {}),
      });
    const runOf = (runId: string) => h.db.run.findUniqueOrThrow({ where: { id: runId } });

    test('stamps started_at on the first INPROGRESS only, and no ended_at while the run works', async () => {
      const runId = await seedRun(h.db);
      await record(runId, 'PENDING', 'exec-1-start-PENDING');
      await record(runId, 'CLAIMED', 'exec-1-provisioned-CLAIMED');
      expect((await runOf(runId)).startedAt).toBeNull();

      await record(runId, 'INPROGRESS', 'exec-1-agent-INPROGRESS');
      const started = (await runOf(runId)).startedAt;
      expect(started).toBeInstanceOf(Date);

      await record(runId, 'BLOCKED', 'exec-1-wait-BLOCKED');
      await record(runId, 'INPROGRESS', 'exec-1-resume-INPROGRESS');
      const run = await runOf(runId);
      expect(run.state).toBe('INPROGRESS');
      expect(run.startedAt).toEqual(started);
      expect(run.endedAt).toBeNull();
    });

    test.each(TERMINAL_STATES)('%s stamps ended_at and stores the status message', async (state) => {
      const runId = await seedRun(h.db);
      await record(runId, 'INPROGRESS', 'exec-1-agent-INPROGRESS');

      await record(runId, state, `exec-1-end-${state}`, `ended ${state}`);

      const run = await runOf(runId);
      expect(run.state).toBe(state);
      expect(run.endedAt).toBeInstanceOf(Date);
      expect(run.endedAt!.getTime()).toBeGreaterThanOrEqual(run.startedAt!.getTime());
      expect(run.statusMessage).toEqual({ message: `ended ${state}` });
    });

    test('the same key written twice leaves one state_changed event', async () => {
      const runId = await seedRun(h.db);

      await record(runId, 'SUCCEEDED', 'exec-1-end-SUCCEEDED', 'done');
      await record(runId, 'SUCCEEDED', 'exec-1-end-SUCCEEDED', 'done');

      const events = await h.db.runEvent.findMany({ where: { runId } });
      expect(events.map((e) => [e.type, e.key, e.data])).toEqual([
        ['state_changed', 'exec-1-end-SUCCEEDED', { state: 'SUCCEEDED', status_message: { message: 'done' } }],
      ]);
    });

    test('a run that no longer exists is a non-retryable RunNotFound and writes nothing', async () => {
      const err = await rejectionOf(record('run-gone', 'INPROGRESS', 'exec-1-agent-INPROGRESS'));
      expect(err).toMatchObject({ type: 'RunNotFound', nonRetryable: true });
      expect(await h.db.runEvent.count({ where: { runId: 'run-gone' } })).toBe(0);
    });
  });

  describe('emitOutputs', () => {
    async function transcript(runId: string, messages: { role: string; content: Prisma.InputJsonValue }[]) {
      for (const [i, m] of messages.entries()) {
        await h.db.runMessage.create({ data: { runId, key: `m-${i}`, seq: i + 1, turn: i, ...m } });
      }
    }
    const emit = (runId: string, execution = 1) => runActivity(h.activities, 'emitOutputs', { runId, execution });

    test('the last assistant text becomes the report artifact, once however often it is emitted', async () => {
      const runId = await seedRun(h.db);
      const answer = 'Fixed the flaky test.\n\nChanged   two files:\n- a.ts\n- b.ts';
      await transcript(runId, [
        { role: 'user', content: 'Fix it' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Looking.' },
            { type: 'tool-call', toolCallId: 'c1', toolName: 'list_files', input: {} },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'list_files', output: {} }] },
        { role: 'assistant', content: [{ type: 'text', text: `\n${answer}\n` }] },
      ]);

      const first = await emit(runId);
      const second = await emit(runId);

      const uid = `${runId}-report-1`;
      expect(first).toEqual({
        artifactUids: [uid],
        summary: { message: 'Fixed the flaky test. Changed two files: - a.ts - b.ts' },
      });
      expect(second).toEqual(first);
      const artifacts = await h.db.artifact.findMany({ where: { runId } });
      expect(artifacts).toHaveLength(1);
      expect(artifacts[0]).toMatchObject({
        uid,
        artifactType: 'FILE',
        content: answer,
        sizeBytes: Buffer.byteLength(answer),
        data: {
          artifact_uid: uid,
          filename: 'report.md',
          filepath: 'report.md',
          mime_type: 'text/markdown',
          size_bytes: Buffer.byteLength(answer),
        },
      });
      expect((await h.db.run.findUniqueOrThrow({ where: { id: runId } })).artifactTypes).toEqual(['FILE']);
      expect(await h.db.runEvent.count({ where: { runId, type: 'output' } })).toBe(1);
    });

    test('a later execution adds its own report and does not list FILE twice', async () => {
      const runId = await seedRun(h.db);
      await transcript(runId, [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'text', text: 'first answer' }] },
      ]);
      await emit(runId, 1);
      await h.db.runMessage.create({
        data: {
          runId,
          key: 'followup',
          seq: 3,
          turn: 2,
          role: 'assistant',
          content: [{ type: 'text', text: 'second' }],
        },
      });

      const second = await emit(runId, 2);

      expect(second.artifactUids).toEqual([`${runId}-report-2`]);
      const artifacts = await h.db.artifact.findMany({ where: { runId }, orderBy: { uid: 'asc' } });
      expect(artifacts.map((a) => [(a.data as { filename: string }).filename, a.content])).toEqual([
        ['report.md', 'first answer'],
        ['report-2.md', 'second'],
      ]);
      expect((await h.db.run.findUniqueOrThrow({ where: { id: runId } })).artifactTypes).toEqual(['FILE']);
    });

    test('a run whose agent wrote no answer still gets a report saying so', async () => {
      const runId = await seedRun(h.db);
      await transcript(runId, [
        { role: 'user', content: 'x' },
        { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c', toolName: 'list_files', input: {} }] },
      ]);
      const result = await emit(runId);
      expect(result.summary.message).toBe('(the agent finished without a written answer)');
    });

    test('a run that no longer exists is a non-retryable RunNotFound', async () => {
      expect(await rejectionOf(emit('run-gone'))).toMatchObject({ type: 'RunNotFound', nonRetryable: true });
    });
  });
});
