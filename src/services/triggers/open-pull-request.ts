/**
 * Opens a pull request for a GitHub-triggered run: pushes the workspace's HEAD to a branch of the run's repository,
 * creates the PR with the integration's token, and records it on the run as a PULL_REQUEST artifact {url, branch}
 * (which the run's progress comment then links). Idempotent per run and branch: a repeat returns the recorded PR.
 */
import { createHash } from 'node:crypto';
import type { Prisma } from '../../generated/prisma/client';
import { githubClient, githubConfigOf, githubToken } from '../../integrations/github/config';
import { createPullRequest, pushBranch } from '../../integrations/github/pull-request';
import { AppError } from '../app-error';
import type { ServiceDeps } from '../deps';
import { integrationContext, toIntegrationRecord } from '../integrations/integration-context';

export interface PullRequestArtifact {
  artifact_uid: string;
  url: string;
  branch: string;
  base: string;
  title: string;
}

export async function openRunPullRequest(
  deps: Pick<ServiceDeps, 'db' | 'config' | 'logger'>,
  input: { runId: string; cwd: string; branch: string; title: string; body?: string; base?: string },
): Promise<PullRequestArtifact> {
  const { db } = deps;
  const uid = `${input.runId}-pr-${createHash('sha256').update(input.branch).digest('hex').slice(0, 12)}`;
  const existing = await db.artifact.findUnique({ where: { uid } });
  if (existing) return existing.data as unknown as PullRequestArtifact;

  const trigger = await db.runTrigger.findUnique({ where: { runId: input.runId } });
  const row = trigger?.integrationId ? await db.integration.findUnique({ where: { id: trigger.integrationId } }) : null;
  const repo = (trigger?.target as { repo?: unknown } | undefined)?.repo;
  if (!row || row.type !== 'github' || typeof repo !== 'string') {
    throw new AppError('operation_not_supported', `run ${input.runId} was not started from a GitHub repository`);
  }
  const integration = toIntegrationRecord(row);
  const ctx = integrationContext(deps, integration);
  const settings = githubConfigOf(ctx);
  const token = await githubToken(ctx, settings);

  await pushBranch({
    cwd: input.cwd,
    remoteUrl: `${settings.git_url.replace(/\/$/, '')}/${repo}.git`,
    token,
    branch: input.branch,
  });
  const pr = await createPullRequest(await githubClient(ctx, settings), {
    repo,
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
        runId: input.runId,
        artifactType: 'PULL_REQUEST',
        data: data as unknown as Prisma.InputJsonObject,
      },
      update: {},
    });
    const run = await tx.run.findUniqueOrThrow({ where: { id: input.runId }, select: { artifactTypes: true } });
    if (!run.artifactTypes.includes('PULL_REQUEST')) {
      await tx.run.update({ where: { id: input.runId }, data: { artifactTypes: { push: 'PULL_REQUEST' } } });
    }
    await tx.runEvent.createMany({
      data: [
        {
          runId: input.runId,
          key: `output-${uid}`,
          type: 'output',
          data: { artifact_type: 'PULL_REQUEST', ...data },
        },
      ],
      skipDuplicates: true,
    });
  });
  deps.logger.info({ runId: input.runId, url: pr.url }, 'pull request opened');
  return data;
}
