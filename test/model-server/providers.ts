import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { ScriptedModelServer } from '../fixtures/model-server';

export interface ProviderCase {
  /** Label for test names. */
  name: string;
  /** The endpoint the real client calls, to check the server saw it there. */
  path: string;
  model: (server: ScriptedModelServer, apiKey?: string) => LanguageModel;
}

export const TEST_KEY = 'sk-scripted-test';

/** Every real client the product uses, each pointed at the scripted server. */
export const PROVIDER_CASES: ProviderCase[] = [
  {
    name: 'openai (Responses API, the default)',
    path: '/v1/responses',
    model: (s, apiKey = TEST_KEY) => createOpenAI({ baseURL: s.url, apiKey })('gpt-test'),
  },
  {
    name: 'openai.chat (Chat Completions)',
    path: '/v1/chat/completions',
    model: (s, apiKey = TEST_KEY) => createOpenAI({ baseURL: s.url, apiKey }).chat('gpt-test'),
  },
  {
    name: 'openai-compatible',
    path: '/v1/chat/completions',
    model: (s, apiKey = TEST_KEY) =>
      createOpenAICompatible({ name: 'local', baseURL: s.url, apiKey, includeUsage: true })('local-test'),
  },
  {
    name: 'anthropic',
    path: '/v1/messages',
    model: (s, apiKey = TEST_KEY) => createAnthropic({ baseURL: s.anthropicUrl, apiKey })('claude-sonnet-4-5'),
  },
];
