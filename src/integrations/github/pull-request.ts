/**
 * Opening a pull request from a workspace: the branch is pushed with real git (the token travels in an HTTP header
 * set through git's environment, never in the URL, argv or the repository's config), then the PR is created with
 * Octokit.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Octokit } from '@octokit/rest';
import { splitRepo } from './config';

const exec = promisify(execFile);

/** Branch names git and GitHub both accept, without leading dashes (never read as an option). */
export const BRANCH_PATTERN = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;

export class PushError extends Error {
  override readonly name = 'PushError';
}

/** Pushes HEAD of `cwd` to `branch` of `remoteUrl` (e.g. https://github.com/octo/app.git) with `token`. */
export async function pushBranch(input: {
  cwd: string;
  remoteUrl: string;
  token: string;
  branch: string;
}): Promise<void> {
  if (!BRANCH_PATTERN.test(input.branch))
    throw new PushError(`branch: ${JSON.stringify(input.branch)} is not a branch name`);
  const basic = Buffer.from(`x-access-token:${input.token}`).toString('base64');
  try {
    await exec('git', ['push', '--porcelain', input.remoteUrl, `HEAD:refs/heads/${input.branch}`], {
      cwd: input.cwd,
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
      },
      timeout: 120_000,
    });
  } catch (err) {
    const raw = (err as { stderr?: unknown }).stderr;
    const stderr = (typeof raw === 'string' ? raw : '').split(input.token).join('***');
    throw new PushError(`git push of ${input.branch} failed: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  }
}

export async function createPullRequest(
  octokit: Octokit,
  input: { repo: string; head: string; base?: string; title: string; body?: string },
): Promise<{ url: string; number: number; base: string }> {
  const { owner, repo } = splitRepo(input.repo);
  const base = input.base ?? (await octokit.rest.repos.get({ owner, repo })).data.default_branch;
  const created = await octokit.rest.pulls.create({
    owner,
    repo,
    head: input.head,
    base,
    title: input.title,
    ...(input.body ? { body: input.body } : {}),
  });
  return { url: created.data.html_url, number: created.data.number, base };
}
