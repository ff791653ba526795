import { RunAgentRequestSchema } from '../../src/domain/run';

/** The messages for a body, keyed by field path. A bad record key's own message sits one level down (the API unwraps it too). */
function problems(body: unknown): Record<string, string> {
  const result = RunAgentRequestSchema.safeParse(body);
  if (result.success) return {};
  return Object.fromEntries(
    result.error.issues.map((i) => [
      i.path.join('.'),
      i.code === 'invalid_key' ? i.issues.map((inner) => inner.message).join(', ') : i.message,
    ]),
  );
}

const attachment = { file_name: 'a.txt', mime_type: 'text/plain', data: Buffer.from('hello').toString('base64') };

describe('RunAgentRequestSchema (POST /agent/runs)', () => {
  test.each([
    ['a prompt', { prompt: 'Fix the tests' }],
    ['a skill', { skill: 'owner/repo:fix-tests' }],
    ['a skill spec in the config', { config: { skill_spec: 'owner/repo:fix-tests' } }],
  ])('accepts a request with only %s', (_what, body) => {
    expect(RunAgentRequestSchema.safeParse(body).success).toBe(true);
  });

  test('needs a prompt unless a skill or a saved prompt is given, and says so on the prompt field', () => {
    expect(problems({})).toEqual({
      prompt: 'prompt is required unless skill, config.skill_spec or config.saved_prompt is given',
    });
    expect(problems({ title: 'no prompt', config: { model_id: 'openai/gpt-4o' } })).toHaveProperty('prompt');
  });

  test('refuses an empty prompt', () => {
    expect(problems({ prompt: '' })).toMatchObject({ prompt: 'prompt must not be empty' });
  });

  test('metadata keys must match [a-zA-Z0-9._-]{1,64}', () => {
    expect(problems({ prompt: 'x', metadata: { 'ticket.id': '1', 'team_name-2': 'a' } })).toEqual({});
    for (const key of ['has space', 'slash/key', 'é', 'k'.repeat(65)]) {
      expect(problems({ prompt: 'x', metadata: { [key]: 'v' } })).toEqual({
        [`metadata.${key}`]: 'metadata keys must match [a-zA-Z0-9._-]{1,64}',
      });
    }
  });

  test('metadata holds at most 20 keys', () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    expect(problems({ prompt: 'x', metadata: keys(20) })).toEqual({});
    expect(problems({ prompt: 'x', metadata: keys(21) })).toEqual({ metadata: 'metadata has at most 20 keys' });
  });

  test('metadata values are at most 256 bytes, counted in UTF-8', () => {
    expect(problems({ prompt: 'x', metadata: { k: 'a'.repeat(256) } })).toEqual({});
    expect(problems({ prompt: 'x', metadata: { k: 'é'.repeat(128) } })).toEqual({});
    expect(problems({ prompt: 'x', metadata: { k: 'a'.repeat(257) } })).toEqual({
      'metadata.k': 'metadata values are at most 256 bytes',
    });
    // 129 two-byte characters: short in characters, too long in bytes.
    expect(problems({ prompt: 'x', metadata: { k: 'é'.repeat(129) } })).toEqual({
      'metadata.k': 'metadata values are at most 256 bytes',
    });
  });

  test('takes at most 5 attachments, each with base64 data', () => {
    expect(problems({ prompt: 'x', attachments: Array(5).fill(attachment) })).toEqual({});
    expect(problems({ prompt: 'x', attachments: Array(6).fill(attachment) })).toEqual({
      attachments: 'at most 5 attachments',
    });
    expect(problems({ prompt: 'x', attachments: [{ ...attachment, data: 'not base64!' }] })).toEqual({
      'attachments.0.data': 'attachment data must be base64',
    });
  });

  test('ignores fields it does not know, so newer clients keep working', () => {
    const parsed = RunAgentRequestSchema.parse({ prompt: 'x', future_field: true, config: { name: 'n', later: 1 } });
    expect(parsed).toEqual({ prompt: 'x', config: { name: 'n' } });
  });

  test('checks the nested config (model ids look like <provider>/<model>)', () => {
    expect(problems({ prompt: 'x', config: { model_id: 'gpt-4o' } })).toEqual({
      'config.model_id': 'model_id must look like "<provider>/<model>", e.g. "openai/gpt-4o"',
    });
  });
});
