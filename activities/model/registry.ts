import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel } from 'ai';
import type { AppConfig, ModelProviderConfig } from '../../src/config';
import { parseModelId, type ModelProvider } from '../../src/domain/model-id';

export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
}

export interface ModelGateway {
  /** The AI SDK model for `<provider>/<model>`; throws ModelConfigError when it cannot be used here. */
  languageModel(modelId: string, credentials?: { apiKey: string }): LanguageModel;
  /** The team secret that holds this model's provider key (configured as secret:NAME), if any. */
  keySecretOf?(modelId: string): string | undefined;
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
  const usable = (p: ModelProviderConfig) => Boolean(p.apiKey || p.baseURL || p.apiKeySecret);
  // Factories take the key so a run can use its team's key (a provider key given as secret:NAME).
  const factories: Record<ModelProvider, ((apiKey?: string) => (model: string) => LanguageModel) | undefined> = {
    openai: usable(models.openai)
      ? (apiKey) => createOpenAI({ apiKey: apiKey ?? models.openai.apiKey ?? 'unset', baseURL: models.openai.baseURL })
      : undefined,
    anthropic: usable(models.anthropic)
      ? (apiKey) =>
          createAnthropic({ apiKey: apiKey ?? models.anthropic.apiKey ?? 'unset', baseURL: models.anthropic.baseURL })
      : undefined,
    'openai-compatible': models.openaiCompatible.baseURL
      ? (apiKey) =>
          createOpenAICompatible({
            name: 'openai-compatible',
            baseURL: models.openaiCompatible.baseURL ?? '',
            apiKey: apiKey ?? models.openaiCompatible.apiKey,
            includeUsage: true,
          })
      : undefined,
  };
  const providers = {
    openai: factories.openai?.(),
    anthropic: factories.anthropic?.(),
    'openai-compatible': factories['openai-compatible']?.(),
  };
  const keySecrets: Record<ModelProvider, string | undefined> = {
    openai: models.openai.apiKeySecret,
    anthropic: models.anthropic.apiKeySecret,
    'openai-compatible': models.openaiCompatible.apiKeySecret,
  };

  return {
    isConfigured: (provider) => providers[provider] !== undefined,
    keySecretOf: (modelId) => {
      const parsed = parseModelId(modelId);
      return parsed ? keySecrets[parsed.provider] : undefined;
    },
    languageModel(modelId, credentials) {
      const parsed = parseModelId(modelId);
      if (!parsed) {
        throw new ModelConfigError(
          `unknown model "${modelId}": use "<provider>/<model>" with provider openai, anthropic or openai-compatible`,
        );
      }
      const provider = credentials ? factories[parsed.provider]?.(credentials.apiKey) : providers[parsed.provider];
      if (!provider) {
        throw new ModelConfigError(
          `model provider "${parsed.provider}" is not configured: set ${KEY_VARIABLE[parsed.provider]} on the worker`,
        );
      }
      return provider(parsed.model);
    },
  };
}
