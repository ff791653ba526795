import { MODEL_PROVIDERS, parseModelId } from '../../src/domain/model-id';

describe('parseModelId', () => {
  test.each([
    ['openai/gpt-4o', 'openai', 'gpt-4o'],
    ['anthropic/claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5'],
    ['openai-compatible/llama3.1:8b', 'openai-compatible', 'llama3.1:8b'],
  ] as const)('%s → provider %s, model %s', (id, provider, model) => {
    expect(parseModelId(id)).toEqual({ provider, model });
  });

  test('only the first slash separates the provider: the model part may hold more (OpenRouter ids)', () => {
    expect(parseModelId('openai-compatible/meta-llama/llama-3.1-70b-instruct')).toEqual({
      provider: 'openai-compatible',
      model: 'meta-llama/llama-3.1-70b-instruct',
    });
    expect(parseModelId('openai/a/b/c')).toEqual({ provider: 'openai', model: 'a/b/c' });
  });

  test.each([
    ['a provider Ambit has no client for', 'mistral/mistral-large'],
    ['a provider in the wrong case', 'OpenAI/gpt-4o'],
    ['a provider with a typo', 'open-ai/gpt-4o'],
    ['no provider', 'gpt-4o'],
    ['an empty provider', '/gpt-4o'],
    ['an empty model', 'openai/'],
    ['an empty string', ''],
    ['only a slash', '/'],
  ])('rejects %s (%j)', (_why, id) => {
    expect(parseModelId(id)).toBeUndefined();
  });

  test('knows exactly the providers it has clients for', () => {
    expect([...MODEL_PROVIDERS]).toEqual(['openai', 'anthropic', 'openai-compatible']);
  });
});
