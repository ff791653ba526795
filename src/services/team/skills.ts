/**
 * Skills: `SKILL.md` files in the repositories of the team's environments. `GET /agent` lists them in the Oz shape
 * (ListAgentsResponse); a run started with `skill` or `config.skill_spec` (`owner/repo:path/to/SKILL.md`) gets the
 * skill's instructions followed by the user's prompt. Repositories are read with real git (a shallow clone kept in a
 * cache folder, refreshed with `refresh=true`).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import type { Principal } from '../../db/api-keys';
import type { Db } from '../../db/client';
import {
  isIgnoredPath,
  parseSkillFile,
  parseSkillSpec,
  repositorySlug,
  RepositorySchema,
  skillPrompt,
  type Repository,
} from '../../domain';
import { AppError } from '../app-error';
import { visibleEnvironmentsWhere } from '../environments/environment-access';
import { requirePermission } from '../permissions';

const run = promisify(execFile);
const CLONE_TIMEOUT_MS = 60_000;
const MAX_SKILL_FILES = 200;
const SKILL_FILE = 'SKILL.md';
/** Clones live here, one per repository and ref; a restart keeps them (they are only a cache). */
export const SKILLS_CACHE_DIR = path.join(os.tmpdir(), 'ambit-skills-cache');

export const ListAgentsQuerySchema = z.object({
  repo: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'repo must look like owner/repo')
    .optional(),
  refresh: z.enum(['true', 'false'], { error: 'refresh must be true or false' }).optional(),
  sort_by: z.enum(['name', 'last_run'], { error: 'sort_by must be name or last_run' }).optional(),
  include_malformed_skills: z.enum(['true', 'false'], { error: 'must be true or false' }).optional(),
});
export type ListAgentsQuery = z.infer<typeof ListAgentsQuerySchema>;

export const AgentListVariantSchema = z.object({
  id: z.string(),
  description: z.string(),
  base_prompt: z.string(),
  source: z.object({ owner: z.string(), name: z.string(), skill_path: z.string() }),
  environments: z.array(z.object({ uid: z.string(), name: z.string() })),
  last_run_timestamp: z.string().nullable().optional(),
  error: z.string().optional(),
});
export const ListAgentsResponseSchema = z.object({
  agents: z.array(z.object({ name: z.string(), variants: z.array(AgentListVariantSchema) })),
});
export type ListAgentsResponse = z.infer<typeof ListAgentsResponseSchema>;
type Variant = z.infer<typeof AgentListVariantSchema>;

/** A shallow clone of `repository` in the cache (made, or remade with `refresh`); its folder. */
async function checkout(repository: Repository, refresh: boolean): Promise<string> {
  const key = createHash('sha256')
    .update(`${repository.url}#${repository.ref ?? ''}`)
    .digest('hex')
    .slice(0, 24);
  const dir = path.join(SKILLS_CACHE_DIR, key);
  const present = await fs.stat(path.join(dir, '.git')).then(
    () => true,
    () => false,
  );
  if (present && !refresh) return dir;
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(SKILLS_CACHE_DIR, { recursive: true });
  const args = [
    'clone',
    '--depth',
    '1',
    ...(repository.ref ? ['--branch', repository.ref] : []),
    '--',
    repository.url,
    dir,
  ];
  await run('git', args, {
    timeout: CLONE_TIMEOUT_MS,
    env: { PATH: process.env['PATH'] ?? '', GIT_TERMINAL_PROMPT: '0' },
  });
  return dir;
}

async function skillFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= MAX_SKILL_FILES) return;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (isIgnoredPath(child)) continue;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile() && e.name === SKILL_FILE) out.push(child);
    }
  };
  await walk('');
  return out;
}

interface RepositoryUse {
  repository: Repository;
  owner: string;
  repo: string;
  environments: { uid: string; name: string }[];
}

async function repositoriesOf(db: Db, principal: Principal): Promise<RepositoryUse[]> {
  const envs = await db.environment.findMany({
    where: visibleEnvironmentsWhere(principal),
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, repositories: true },
  });
  const byKey = new Map<string, RepositoryUse>();
  for (const env of envs) {
    const parsed = z.array(RepositorySchema).safeParse(env.repositories);
    for (const repository of parsed.success ? parsed.data : []) {
      const slug = repositorySlug(repository.url);
      if (!slug) continue;
      const key = `${repository.url}#${repository.ref ?? ''}`;
      const use = byKey.get(key) ?? { repository, ...slug, environments: [] };
      use.environments.push({ uid: env.id, name: env.name });
      byKey.set(key, use);
    }
  }
  return [...byKey.values()];
}

/** `GET /agent`: the skills in the visible environments' repositories, grouped by skill name. */
export async function listAgentSkills(
  deps: { db: Db; logger: { warn: (obj: object, msg: string) => void } },
  input: { principal: Principal; query: ListAgentsQuery },
): Promise<ListAgentsResponse> {
  const { principal, query } = input;
  requirePermission(principal, 'view', 'list agents');
  const variants: (Variant & { name: string })[] = [];
  for (const use of await repositoriesOf(deps.db, principal)) {
    if (query.repo && `${use.owner}/${use.repo}` !== query.repo) continue;
    let dir: string;
    try {
      dir = await checkout(use.repository, query.refresh === 'true');
    } catch (err) {
      deps.logger.warn({ err, owner: use.owner, repo: use.repo }, 'could not read a repository for skills');
      continue;
    }
    for (const file of await skillFiles(dir)) {
      const fallback = path.posix.basename(path.posix.dirname(file)) || use.repo;
      const common = {
        id: `${use.owner}/${use.repo}:${file}`,
        source: { owner: use.owner, name: use.repo, skill_path: file },
        environments: use.environments,
      };
      try {
        const skill = parseSkillFile(await fs.readFile(path.join(dir, file), 'utf8'), fallback);
        variants.push({ ...common, name: skill.name, description: skill.description, base_prompt: skill.instructions });
      } catch (err) {
        if (query.include_malformed_skills === 'true') {
          variants.push({ ...common, name: fallback, description: '', base_prompt: '', error: (err as Error).message });
        }
      }
    }
  }
  const byName = new Map<string, Variant[]>();
  for (const { name, ...variant } of variants) byName.set(name, [...(byName.get(name) ?? []), variant]);
  return {
    agents: [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, v]) => ({ name, variants: v })),
  };
}

/**
 * The prompt of a run started from a skill (`owner/repo:path/to/SKILL.md`): the skill's instructions, then the
 * user's prompt. The repository is one of the visible environments' (any git host), or GitHub's.
 */
export async function renderSkillPrompt(
  db: Db,
  principal: Principal,
  spec: string,
  userPrompt: string | undefined,
  field: string,
): Promise<string> {
  const parsed = parseSkillSpec(spec);
  if (!parsed) {
    throw new AppError(
      'invalid_request',
      `${field}: give owner/repo:path/to/SKILL.md, e.g. acme/api:skills/deploy/SKILL.md`,
    );
  }
  const known = (await repositoriesOf(db, principal)).find((u) => u.owner === parsed.owner && u.repo === parsed.repo);
  const repository = known?.repository ?? { url: `https://github.com/${parsed.owner}/${parsed.repo}.git` };
  let content: string | undefined;
  for (const refresh of [false, true]) {
    try {
      const dir = await checkout(repository, refresh);
      content = await fs.readFile(path.join(dir, parsed.path), 'utf8');
      break;
    } catch {
      // A stale clone may predate the skill: fetch once more before giving up.
    }
  }
  if (content === undefined) {
    throw new AppError(
      'invalid_request',
      `${field}: ${spec} could not be read (no such file, or the repository is not reachable); list skills with GET /api/v1/agent`,
    );
  }
  try {
    return skillPrompt(parseSkillFile(content, path.posix.basename(path.posix.dirname(parsed.path))), userPrompt);
  } catch (err) {
    throw new AppError('invalid_request', `${field}: ${spec}: ${(err as Error).message}`);
  }
}
