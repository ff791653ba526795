/**
 * `GET /agent/models`: the models of every configured provider (one with an API key or a base URL) as listed in
 * its *_MODELS variable, plus the default model, which is always listed.
 */
import type { ModelProvidersConfig } from '../config';
import type { Principal } from '../db/api-keys';
import { parseModelId, type ListModelsResponse, type ModelInfo, type ModelProvider } from '../domain';
import type { ServiceDeps } from './deps';
import { requirePermission } from './permissions';

const PROVIDER_CONFIG_KEY: Record<ModelProvider, keyof ModelProvidersConfig> = {
  openai: 'openai',
  anthropic: 'anthropic',
  'openai-compatible': 'openaiCompatible',
};

const WIRE_PROVIDER: Record<ModelProvider, ModelInfo['provider']> = {
  openai: 'OPENAI',
  anthropic: 'ANTHROPIC',
  'openai-compatible': 'UNKNOWN',
};

/** Known image-capable families; anything else is reported without vision rather than guessed. */
const VISION_PATTERNS: Record<ModelProvider, RegExp | undefined> = {
  openai: /^(gpt-4o|gpt-4\.1|gpt-4-turbo|gpt-5|o1|o3|o4)/,
  anthropic: /^claude-(3|sonnet|opus|haiku|[4-9])/,
  'openai-compatible': undefined,
};

export function modelInfo(id: string): ModelInfo {
  const parsed = parseModelId(id);
  if (!parsed) return { id, display_name: id, provider: 'UNKNOWN', vision_supported: false };
  return {
    id,
    display_name: parsed.model,
    provider: WIRE_PROVIDER[parsed.provider],
    vision_supported: VISION_PATTERNS[parsed.provider]?.test(parsed.model) ?? false,
  };
}

export function configuredModelIds(models: ModelProvidersConfig): string[] {
  const ids: string[] = [];
  for (const [provider, key] of Object.entries(PROVIDER_CONFIG_KEY) as [ModelProvider, keyof ModelProvidersConfig][]) {
    const p = models[key];
    if (!p.apiKey && !p.baseURL) continue;
    for (const m of p.models) ids.push(`${provider}/${m}`);
  }
  return ids;
}

export async function listModels(
  deps: Pick<ServiceDeps, 'db' | 'config'>,
  input: { principal: Principal },
): Promise<ListModelsResponse> {
  requirePermission(input.principal, 'view', 'list models');
  const team = await deps.db.team.findUnique({
    where: { id: input.principal.teamId },
    select: { defaultModelId: true },
  });
  const ids = configuredModelIds(deps.config.models);
  const defaultId = team?.defaultModelId ?? deps.config.models.defaultModelId ?? ids[0] ?? '';
  if (defaultId !== '' && !ids.includes(defaultId)) ids.unshift(defaultId);
  return { default_model_id: defaultId, models: [...new Set(ids)].map(modelInfo) };
}
