/**
 * Opens a pull request for a GitHub-triggered run: pushes the workspace's HEAD to a branch of the run's repository,
 * creates the PR with the integration's token, and records it on the run as a PULL_REQUEST artifact {url, branch}
 * (which the run's progress comment then links). Idempotent per run and branch: a repeat returns the recorded PR.
 *
 * The steps are exported separately for the agent's `open_pull_request` tool (activities/tools/pull-request.ts),
 * where the push happens on the run's host and the PR is created on the platform: `runGithubTarget` resolves the
 * repository and token, `recordRunPullRequest` creates the PR and records the artifact.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppConfig } from '../../config';
import type { Db } from '../../db/client';
import type { Integration, Prisma } from '../../generated/prisma/client';
import {
  coversRepository,
  githubClient,
  githubConfigOf,
  githubToken,
  type GithubConfig,
} from '../../integrations/github/config';
import { createPullRequest, pushBranch } from '../../integrations/github/pull-request';
import type { IntegrationContext } from '../../integrations/types';
import { AppError } from '../app-error';
import { integrationContext, toIntegrationRecord } from '../integrations/integration-context';

export interface PullRequestArtifact {
  artifact_uid: string;
  url: string;
  branch: string;
  base: string;
  title: string;
}

type PullRequestDeps = {
  db: Db;
  config: Pick<AppConfig, 'publicUrl' | 'dataDir' | 'secrets'>;
  logger: Logger;
};

/** The GitHub repository a run works on, with what it takes to push to it and call the API. */
export interface RunGithubTarget {
  repo: string;
  settings: GithubConfig;
  ctx: IntegrationContext;
  /** Where the branch is pushed: `<git_url>/<owner>/<name>.git`. */
  remoteUrl: string;
}

const artifactUidOf = (runId: string, branch: string) =>
  `${runId}-pr-${createHash('sha256').update(branch).digest('hex').slice(0, 12)}`;

/**
 * The run's GitHub repository and the integration that reaches it: the run's GitHub trigger (its repository, or
 * `repository` when that integration covers it), else an enabled GitHub integration of the run's team that covers
 * `repository`. Throws `operation_not_supported` when there is none, `invalid_request` naming `repository`.
 */
export async function runGithubTarget(
  deps: PullRequestDeps,
  runId: string,
  repository?: string,
): Promise<RunGithubTarget> {
  const { db } = deps;
  const trigger = await db.runTrigger.findUnique({ where: { runId } });
  const row = trigger?.integrationId ? await db.integration.findUnique({ where: { id: trigger.integrationId } }) : null;
  const triggerRepo = (trigger?.target as { repo?: unknown } | undefined)?.repo;
  const target = (integration: Integration, repo: string): RunGithubTarget => {
    const ctx = integrationContext(deps, toIntegrationRecord(integration));
    const settings = githubConfigOf(ctx);
    return { repo, settings, ctx, remoteUrl: `${settings.git_url.replace(/\/$/, '')}/${repo}.git` };
  };
  if (row?.type === 'github' && typeof triggerRepo === 'string') {
    const fromTrigger = target(row, triggerRepo);
    if (repository === undefined || repository.toLowerCase() === triggerRepo.toLowerCase()) return fromTrigger;
    if (coversRepository(fromTrigger.settings, repository)) return target(row, repository);
  }
  const run = await db.run.findUnique({ where: { id: runId }, select: { teamId: true } });
  if (!run) throw new AppError('resource_not_found', `run ${runId} does not exist`);
  const candidates = await db.integration.findMany({
    where: { teamId: run.teamId, type: 'github', enabled: true },
    orderBy: { createdAt: 'asc' },
  });
  if (candidates.length === 0) {
    throw new AppError('operation_not_supported', `run ${runId} has no GitHub integration to open pull requests with`);
  }
  if (repository === undefined) {
    throw new AppError(
      'invalid_request',
      `repository: give the GitHub repository ("owner/name"); run ${runId} was not started from one`,
    );
  }
  for (const candidate of candidates) {
    const found = target(candidate, repository);
    if (coversRepository(found.settings, repository)) return found;
  }
  throw new AppError(
    'invalid_request',
    `repository: ${repository} is not covered by a GitHub integration of the team (its repositories or organization)`,
  );
}

/** Whether the run can open pull requests: its team has a GitHub integration with a token or App credentials. */
export async function runHasGithubCredentials(deps: Pick<PullRequestDeps, 'db'>, runId: string): Promise<boolean> {
  const run = await deps.db.run.findUnique({ where: { id: runId }, select: { teamId: true } });
  if (!run) return false;
  const trigger = await deps.db.runTrigger.findUnique({ where: { runId }, select: { integrationId: true } });
  const rows = await deps.db.integration.findMany({
    where: {
      teamId: run.teamId,
      type: 'github',
      OR: [{ enabled: true }, ...(trigger?.integrationId ? [{ id: trigger.integrationId }] : [])],
    },
  });
  return rows.some((row) => {
    const refs = toIntegrationRecord(row).secretRefs;
    return refs['token'] !== undefined || refs['app_private_key'] !== undefined;
  });
}

/** The token pushes and API calls of `target` are made with (the integration's token or App installation token). */
export function targetToken(target: RunGithubTarget): Promise<string> {
  return githubToken(target.ctx, target.settings);
}

/** The PR recorded for this run and branch, if one was. */
export async function recordedPullRequest(
  deps: Pick<PullRequestDeps, 'db'>,
  runId: string,
  branch: string,
): Promise<PullRequestArtifact | undefined> {
  const existing = await deps.db.artifact.findUnique({ where: { uid: artifactUidOf(runId, branch) } });
  return existing ? (existing.data as unknown as PullRequestArtifact) : undefined;
}

/** Creates the PR of a pushed branch with Octokit and records it as the run's PULL_REQUEST artifact (idempotent). */
export async function recordRunPullRequest(
  deps: PullRequestDeps,
  runId: string,
  target: RunGithubTarget,
  input: { branch: string; title: string; body?: string; base?: string },
): Promise<PullRequestArtifact> {
  const { db } = deps;
  const recorded = await recordedPullRequest(deps, runId, input.branch);
  if (recorded) return recorded;
  const uid = artifactUidOf(runId, input.branch);
  const pr = await createPullRequest(await githubClient(target.ctx, target.settings), {
    repo: target.repo,
    head: input.branch,
    title: input.title,
    ...(input.base ? { base: input.base } : {}),
    ...(input.body ? { body: input.body } : {}),
  });
  const data: PullRequestArtifact = {
    artifact_uid: uid,
    url: pr.url,
    branch: input.branch,
    base: pr.base,
    title: input.title,
  };
  await db.$transaction(async (tx) => {
    await tx.artifact.upsert({
      where: { uid },
      create: {
        uid,
        runId,
        artifactType: 'PULL_REQUEST',
        data: data as unknown as Prisma.InputJsonObject,
      },
      update: {},
    });
    const run = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { artifactTypes: true } });
    if (!run.artifactTypes.includes('PULL_REQUEST')) {
      await tx.run.update({ where: { id: runId }, data: { artifactTypes: { push: 'PULL_REQUEST' } } });
    }
    await tx.runEvent.createMany({
      data: [{ runId, key: `output-${uid}`, type: 'output', data: { artifact_type: 'PULL_REQUEST', ...data } }],
      skipDuplicates: true,
    });
  });
  deps.logger.info({ runId, url: pr.url }, 'pull request opened');
  return data;
}

export async function openRunPullRequest(
  deps: PullRequestDeps,
  input: { runId: string; cwd: string; branch: string; title: string; body?: string; base?: string },
): Promise<PullRequestArtifact> {
  const recorded = await recordedPullRequest(deps, input.runId, input.branch);
  if (recorded) return recorded;
  const target = await runGithubTarget(deps, input.runId);
  await pushBranch({
    cwd: input.cwd,
    remoteUrl: target.remoteUrl,
    token: await targetToken(target),
    branch: input.branch,
  });
  return recordRunPullRequest(deps, input.runId, target, input);
}
