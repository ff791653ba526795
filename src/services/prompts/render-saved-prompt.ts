/**
 * `config.saved_prompt` of a run request, rendered at creation: the run's prompt is the filled template (then the
 * request's own prompt, if it has one) and its config records the prompt's id and the version it used.
 */
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import { renderTemplate, TemplateError, type SavedPromptRef } from '../../domain';
import { AppError } from '../app-error';
import { storedParameters } from './saved-prompts';

export interface RenderedSavedPrompt {
  prompt: string;
  /** What the run records as `config.saved_prompt`. */
  used: SavedPromptRef & { id: string; version: number };
}

export async function renderSavedPrompt(
  db: Db,
  principal: Principal,
  ref: SavedPromptRef,
  userPrompt: string | undefined,
): Promise<RenderedSavedPrompt> {
  // Prompts a run may use: the team's and the caller's own (which wins when both have the name).
  const scopes: ({ scope: string } | { scope: string; ownerUserId: string })[] = [{ scope: 'Team' }];
  if (principal.userId !== null) scopes.push({ scope: 'User', ownerUserId: principal.userId });
  const rows = await db.savedPrompt.findMany({
    where: { teamId: principal.teamId, OR: scopes, AND: [{ OR: [{ name: ref.name }, { id: ref.name }] }] },
  });
  const row = rows.find((r) => r.scope === 'User') ?? rows[0];
  if (!row) {
    throw new AppError(
      'resource_not_found',
      `config.saved_prompt.name: no saved prompt named ${JSON.stringify(ref.name)} is visible to this API key; ` +
        'list them with GET /api/v1/prompts',
    );
  }
  const version = ref.version ?? row.latestVersion;
  const stored = await db.savedPromptVersion.findUnique({
    where: { promptId_version: { promptId: row.id, version } },
  });
  if (!stored) {
    throw new AppError(
      'invalid_request',
      `config.saved_prompt.version: ${row.name} has versions 1 to ${row.latestVersion}; there is no version ${version}`,
    );
  }
  let rendered: string;
  try {
    rendered = renderTemplate(stored.template, storedParameters(stored.parameters), ref.params ?? {});
  } catch (err) {
    if (err instanceof TemplateError) {
      throw new AppError('invalid_request', `config.saved_prompt.params: ${row.name} v${version}: ${err.message}`);
    }
    throw err;
  }
  return {
    prompt: userPrompt ? `${rendered}\n\n${userPrompt}` : rendered,
    used: { name: row.name, id: row.id, version, ...(ref.params ? { params: ref.params } : {}) },
  };
}
