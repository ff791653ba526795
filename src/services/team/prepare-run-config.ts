/**
 * The central-configuration part of creating a run, done once at creation so the run's record says what it used:
 * a skill's instructions (SKILL.md) open the prompt, a saved prompt is rendered into the prompt (the config records its id and version), MCP server objects and
 * variable sets named by the request must exist (400 now rather than a failed run later), and a run served by an
 * ephemeral local host (`ambit agent run`) is recorded as LOCAL.
 */
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import { isLocalHost, type AgentConfig } from '../../domain';
import { AppError } from '../app-error';
import { renderSavedPrompt } from '../prompts/render-saved-prompt';
import { renderSkillPrompt } from './skills';

export interface PreparedRun {
  prompt: string | undefined;
  config: AgentConfig;
  executionLocation: 'LOCAL' | 'REMOTE';
}

function usableWhere(principal: Principal, ref: string) {
  const scopes: ({ scope: string } | { scope: string; ownerUserId: string })[] = [{ scope: 'Team' }];
  if (principal.userId !== null) scopes.push({ scope: 'User', ownerUserId: principal.userId });
  return { teamId: principal.teamId, OR: scopes, AND: [{ OR: [{ name: ref }, { id: ref }] }] };
}

export async function prepareRunConfig(
  db: Db,
  principal: Principal,
  prompt: string | undefined,
  config: AgentConfig,
  skill?: string,
): Promise<PreparedRun> {
  let next = config;
  let text = prompt;
  // A skill's instructions open the prompt; the run records which skill in config.skill_spec.
  const skillSpec = skill ?? config.skill_spec;
  if (skillSpec !== undefined) {
    text = await renderSkillPrompt(db, principal, skillSpec, text, skill !== undefined ? 'skill' : 'config.skill_spec');
    next = { ...next, skill_spec: skillSpec };
  }
  if (config.saved_prompt) {
    const rendered = await renderSavedPrompt(db, principal, config.saved_prompt, prompt);
    text = rendered.prompt;
    next = { ...next, saved_prompt: rendered.used };
  }
  for (const [name, server] of Object.entries(config.mcp_servers ?? {})) {
    if (!('ref' in server)) continue;
    const found = await db.mcpServer.count({ where: usableWhere(principal, server.ref) });
    if (found === 0) {
      throw new AppError(
        'invalid_request',
        `config.mcp_servers.${name}.ref: no MCP server named ${JSON.stringify(server.ref)} is visible to this API ` +
          'key; list them with GET /api/v1/mcp-servers',
      );
    }
  }
  for (const [i, ref] of (config.var_sets ?? []).entries()) {
    const found = await db.varSet.count({ where: usableWhere(principal, ref) });
    if (found === 0) {
      throw new AppError(
        'invalid_request',
        `config.var_sets[${i}]: no variable set named ${JSON.stringify(ref)} is visible to this API key; list them ` +
          'with GET /api/v1/vars',
      );
    }
  }
  const local = isLocalHost(config.worker_host);
  return { prompt: text, config: next, executionLocation: local ? 'LOCAL' : 'REMOTE' };
}
