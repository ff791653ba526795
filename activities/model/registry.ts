import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { AppConfig } from '../../src/config';
import { parseModelId, type ModelProvider } from '../../src/domain/model-id';

export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

export interface ModelGateway {
  /** The AI SDK model for `<provider>/<model>`; throws ModelConfigError when it cannot be used here. */
  languageModel(modelId: string): LanguageModel;
  isConfigured(provider: ModelProvider): boolean;
}

const KEY_VARIABLE: Record<ModelProvider, string> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  'openai-compatible': 'OPENAI_COMPATIBLE_BASE_URL',
};

/**
 * Model providers through the Vercel AI SDK. Their own retries are turned off by the caller: retries belong to
 * Temporal, so each attempt is durable and visible.
 */
export function createModelGateway(models: AppConfig['models']): ModelGateway {
  const openai =
    models.openai.apiKey || models.openai.baseURL
      ? createOpenAI({ apiKey: models.openai.apiKey ?? 'unset', baseURL: models.openai.baseURL })
      : undefined;
  const anthropic =
    models.anthropic.apiKey || models.anthropic.baseURL
      ? createAnthropic({ apiKey: models.anthropic.apiKey ?? 'unset', baseURL: models.anthropic.baseURL })
      : undefined;
  const compatible = models.openaiCompatible.baseURL
    ? createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: models.openaiCompatible.baseURL,
        apiKey: models.openaiCompatible.apiKey,
        includeUsage: true,
      })
    : undefined;
  const providers = { openai, anthropic, 'openai-compatible': compatible };

  return {
    isConfigured: (provider) => providers[provider] !== undefined,
    languageModel(modelId) {
      const parsed = parseModelId(modelId);
      if (!parsed) {
        throw new ModelConfigError(
          `unknown model "${modelId}": use "<provider>/<model>" with provider openai, anthropic or openai-compatible`,
        );
      }
      const provider = providers[parsed.provider];
      if (!provider) {
        throw new ModelConfigError(
          `model provider "${parsed.provider}" is not configured: set ${KEY_VARIABLE[parsed.provider]} on the worker`,
        );
      }
      return provider(parsed.model);
    },
  };
}
