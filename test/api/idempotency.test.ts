/** Creating a run with an Idempotency-Key (as the official SDKs and `ambit` send on retried POSTs). */
import { type RunAgentResponse } from '../../src/domain';
import { createTeam, startHarness, type Harness, type TeamKeys } from './helpers';

describe('POST /agent/runs with Idempotency-Key', () => {
  let h: Harness;
  let a: TeamKeys;
  let b: TeamKeys;
  beforeAll(async () => {
    h = await startHarness('postgres');
    a = await createTeam(h.db, 'a');
    b = await createTeam(h.db, 'b');
  });
  afterAll(async () => h?.close());

  const create = (key: string, idem: string | undefined, prompt = 'idempotent') =>
    h.request<RunAgentResponse>('POST', '/api/v1/agent/runs', {
      key,
      body: { prompt },
      headers: idem === undefined ? {} : { 'Idempotency-Key': idem },
    });

  it('returns the same run for a retried request, and creates one row and one workflow', async () => {
    const first = await create(a.admin, 'retry-1');
    const second = await create(a.admin, 'retry-1');
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.run_id).toBe(first.body.run_id);
    h.track(first.body.run_id);
    expect(await h.db.run.count({ where: { id: first.body.run_id } })).toBe(1);
    const executions = [];
    for await (const w of h.temporal.workflow.list({ query: `WorkflowId = '${first.body.run_id}'` }))
      executions.push(w);
    expect(executions).toHaveLength(1);
  });

  it('concurrent requests with one key yield one run', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => create(a.admin, 'race-1')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(new Set(results.map((r) => r.body.run_id)).size).toBe(1);
    h.track(results[0]!.body.run_id);
  });

  it('scopes keys per team and leaves requests without a key independent', async () => {
    const ra = await create(a.admin, 'shared-key');
    const rb = await create(b.admin, 'shared-key');
    expect(ra.body.run_id).not.toBe(rb.body.run_id);
    const n1 = await create(a.admin, undefined);
    const n2 = await create(a.admin, undefined);
    expect(n1.body.run_id).not.toBe(n2.body.run_id);
    for (const r of [ra, rb, n1, n2]) h.track(r.body.run_id);
  });

  it('rejects an oversized key naming the header', async () => {
    const r = await create(a.admin, 'k'.repeat(300));
    expect(r.status).toBe(400);
    expect((r.body as unknown as { detail: string }).detail).toContain('Idempotency-Key');
  });
});
