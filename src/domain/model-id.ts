/** `model_id` is `<provider>/<model>`; the model part may itself contain slashes (OpenRouter ids do). */
export const MODEL_PROVIDERS = ['openai', 'anthropic', 'openai-compatible'] as const;
export type ModelProvider = (typeof MODEL_PROVIDERS)[number];

export interface ParsedModelId {
  provider: ModelProvider;
  model: string;
}

export function parseModelId(modelId: string): ParsedModelId | undefined {
  const slash = modelId.indexOf('/');
  if (slash <= 0 || slash === modelId.length - 1) return undefined;
  const provider = modelId.slice(0, slash);
  const model = modelId.slice(slash + 1);
  if (!(MODEL_PROVIDERS as readonly string[]).includes(provider)) return undefined;
  return { provider: provider as ModelProvider, model };
}
