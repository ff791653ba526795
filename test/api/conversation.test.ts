/** `GET /agent/runs/{id}/conversation`: stored AI SDK messages mapped to the contract's steps and blocks. */
import { ConversationResponseSchema, type ConversationResponse } from '../../src/domain';
import { createTeam, insertRun, startHarness, type Harness, type TeamKeys } from './helpers';

describe('run conversation', () => {
  let h: Harness;
  let team: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'conv');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('groups messages by turn and maps text, tool calls and tool results', async () => {
    const runId = await insertRun(h.db, team.teamId, { conversationId: 'conv-1' });
    const t = (s: number) => new Date(Date.parse('2026-02-01T10:00:00.000Z') + s * 1000);
    const rows = [
      { turn: 0, role: 'system', content: 'You are helpful.', at: t(0) },
      {
        turn: 0,
        role: 'user',
        content: [
          { type: 'text', text: 'List the files' },
          { type: 'file', mediaType: 'image/png', data: 'iVBORw0KGgo=', filename: 'shot.png' },
        ],
        at: t(1),
      },
      {
        turn: 1,
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'private thoughts' },
          { type: 'text', text: 'Let me look.' },
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'run_command', input: { command: 'ls' } },
          { type: 'tool-call', toolCallId: 'call_2', toolName: 'read_file', input: { path: '/etc/shadow' } },
        ],
        at: t(2),
      },
      {
        turn: 1,
        role: 'tool',
        content: [
          {
            type: 'tool-result',
            toolCallId: 'call_1',
            toolName: 'run_command',
            output: { type: 'json', value: { exit_code: 0, stdout: 'a.txt\n' } },
          },
          {
            type: 'tool-result',
            toolCallId: 'call_2',
            toolName: 'read_file',
            output: { type: 'error-text', value: 'permission denied' },
          },
        ],
        at: t(5),
      },
      { turn: 2, role: 'assistant', content: [{ type: 'text', text: 'There is a.txt.' }], at: t(7) },
    ];
    for (const [seq, row] of rows.entries()) {
      await h.db.runMessage.create({
        data: { runId, key: `m${seq}`, seq, turn: row.turn, role: row.role, content: row.content, createdAt: row.at },
      });
    }
    await h.db.toolCall.createMany({
      data: [
        {
          id: 'call_1',
          runId,
          turn: 1,
          name: 'run_command',
          category: 'command',
          input: { command: 'ls' },
          state: 'completed',
        },
        {
          id: 'call_2',
          runId,
          turn: 1,
          name: 'read_file',
          category: 'files',
          input: { path: '/etc/shadow' },
          state: 'failed',
        },
      ],
    });
    const ids = (await h.db.runMessage.findMany({ where: { runId }, orderBy: { seq: 'asc' } })).map((m) =>
      String(m.id),
    );

    const res = await h.request<ConversationResponse>('GET', `/api/v1/agent/runs/${runId}/conversation`, {
      key: team.member,
    });

    expect(res.status).toBe(200);
    ConversationResponseSchema.parse(res.body);
    expect(res.body).toEqual({
      conversation_id: 'conv-1',
      steps: [
        {
          id: 'turn-0',
          started_at: t(0).toISOString(),
          completed_at: t(1).toISOString(),
          steps: [],
          messages: [
            {
              message_ids: [ids[0]],
              role: 'system',
              timestamp: t(0).toISOString(),
              content: [{ type: 'text', message_id: ids[0], text: 'You are helpful.' }],
            },
            {
              message_ids: [ids[1]],
              role: 'user',
              timestamp: t(1).toISOString(),
              content: [
                { type: 'text', message_id: ids[1], text: 'List the files' },
                {
                  type: 'event',
                  message_id: ids[1],
                  name: 'attachment',
                  data: { media_type: 'image/png', filename: 'shot.png' },
                },
              ],
            },
          ],
        },
        {
          id: 'turn-1',
          started_at: t(2).toISOString(),
          completed_at: t(5).toISOString(),
          steps: [],
          messages: [
            {
              message_ids: [ids[2]],
              role: 'assistant',
              timestamp: t(2).toISOString(),
              content: [
                { type: 'text', message_id: ids[2], text: 'Let me look.' },
                {
                  type: 'action',
                  message_id: ids[2],
                  id: 'call_1',
                  category: 'command',
                  name: 'run_command',
                  input: { command: 'ls' },
                },
                {
                  type: 'action',
                  message_id: ids[2],
                  id: 'call_2',
                  category: 'files',
                  name: 'read_file',
                  input: { path: '/etc/shadow' },
                },
              ],
            },
            {
              message_ids: [ids[3]],
              role: 'tool',
              timestamp: t(5).toISOString(),
              content: [
                {
                  type: 'action_result',
                  message_id: ids[3],
                  action_id: 'call_1',
                  category: 'command',
                  name: 'run_command',
                  state: 'completed',
                  output: { exit_code: 0, stdout: 'a.txt\n' },
                },
                {
                  type: 'action_result',
                  message_id: ids[3],
                  action_id: 'call_2',
                  category: 'files',
                  name: 'read_file',
                  state: 'failed',
                  output: { error: 'permission denied' },
                },
              ],
            },
          ],
        },
        {
          id: 'turn-2',
          started_at: t(7).toISOString(),
          completed_at: t(7).toISOString(),
          steps: [],
          messages: [
            {
              message_ids: [ids[4]],
              role: 'assistant',
              timestamp: t(7).toISOString(),
              content: [{ type: 'text', message_id: ids[4], text: 'There is a.txt.' }],
            },
          ],
        },
      ],
    });
  });

  it('answers an empty conversation for a run that has not started', async () => {
    const runId = await insertRun(h.db, team.teamId, { conversationId: 'conv-empty' });
    const res = await h.request<ConversationResponse>('GET', `/api/v1/agent/runs/${runId}/conversation`, {
      key: team.member,
    });
    expect(res.body).toEqual({ conversation_id: 'conv-empty', steps: [] });
  });

  it('answers 404 for another team’s run', async () => {
    const other = await createTeam(h.db, 'conv-other');
    const runId = await insertRun(h.db, other.teamId);
    const res = await h.request('GET', `/api/v1/agent/runs/${runId}/conversation`, { key: team.admin });
    expect(res.status).toBe(404);
  });
});
