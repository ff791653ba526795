/**
 * The agent's `open_pull_request` tool: commits the workspace's changes on a new branch, pushes it to the run's
 * GitHub repository and opens the pull request, recorded as the run's PULL_REQUEST artifact (which the triggering
 * issue's progress comment links).
 *
 * It follows the split of every tool call (loadToolCall → runToolOnHost → recordToolResult), so the workflow is
 * unchanged and a completed call is never repeated:
 * - platform, `preparePullRequest` (in loadToolCall): resolves the repository and the token, and seals the token for
 *   the run's host like the run's secrets (the call, and so the history, carries ciphertext only);
 * - host, `pushPullRequestBranch` (in runToolOnHost): `git add -A`, commit, push, where the workspace is (in the
 *   container for Docker environments), with the token in an HTTP header set through git's environment (never argv,
 *   the repository's config, the output or a log);
 * - platform, `completePullRequest` (in recordToolResult): creates the PR with Octokit and records the artifact.
 */
import { z } from 'zod';
import type { Db } from '../../src/db/client';
import { BRANCH_PATTERN } from '../../src/integrations/github/pull-request';
import type { KeyConfig } from '../../src/secrets/keys';
import { hostKeyOf } from '../../src/secrets/keys';
import { knownSecretsRedactor, rememberSecretValues } from '../../src/secrets/known-values';
import { sealForHost } from '../../src/secrets/transport';
import { AppError } from '../../src/services/app-error';
import {
  recordedPullRequest,
  recordRunPullRequest,
  runGithubTarget,
  runHasGithubCredentials,
  targetToken,
} from '../../src/services/triggers/open-pull-request';
import type { Logger } from 'pino';
import { TOOL_OUTPUT_CAP_BYTES } from '../../src/domain/limits';
import type { EnvironmentHandle, EnvironmentProvider } from '../environment/provider';
import type { ToolDefinition, ToolOutcome } from './types';

export const PULL_REQUEST_TOOL_NAME = 'open_pull_request';

const OpenPullRequestInput = z.object({
  title: z.string().min(1).max(256),
  body: z.string().max(60_000).optional(),
  branch: z
    .string()
    .regex(BRANCH_PATTERN, 'branch: a git branch name such as "ambit/fix-login" (letters, digits, . _ / -)')
    .optional(),
  base: z.string().regex(BRANCH_PATTERN, 'base: the branch to merge into, e.g. "main"').optional(),
  repository: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'repository: "owner/name"')
    .optional(),
  path: z
    .string()
    .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$)).+$/, 'path: a folder of the workspace, without ".." or a leading "/"')
    .optional(),
});
type OpenPullRequestInput = z.infer<typeof OpenPullRequestInput>;

export const PULL_REQUEST_TOOL: ToolDefinition = {
  name: PULL_REQUEST_TOOL_NAME,
  description:
    'Open a GitHub pull request with your changes: commits every change of the git repository at `path` (default: ' +
    'the workspace root) on a new branch (default: ambit/<title>), pushes it to the GitHub repository (default: ' +
    'the one the run was started from; otherwise give `repository` as "owner/name") and ' +
    'opens the pull request against `base` (default: the repository’s default branch). Returns its url. Called again with the same branch, it pushes new commits to the same PR.',
  category: 'integration',
  inputSchema: z.toJSONSchema(OpenPullRequestInput),
  source: { kind: 'builtin' },
};

/** What the platform prepared for the host: where to push, and the token sealed for the run's host. */
export interface PullRequestPush {
  remoteUrl: string;
  branch: string;
  path: string;
  title: string;
  body?: string;
  sealedToken: string;
}

export type PreparedPullRequest = { push: PullRequestPush } | { error: string };

interface PlatformDeps {
  db: Db;
  secretKeys?: KeyConfig;
  logger: Logger;
}

/** The service deps of the GitHub steps; the public URL is not used by them (it only goes into links). */
const serviceDeps = (deps: PlatformDeps, keys: KeyConfig) => ({
  db: deps.db,
  config: { ...keys, publicUrl: '' },
  logger: deps.logger,
});

function messageOf(err: unknown): string {
  const message = err instanceof AppError ? err.detail : (err as Error).message;
  return knownSecretsRedactor().redact(message);
}

function invalidInput(error: z.ZodError): string {
  return `invalid input for ${PULL_REQUEST_TOOL_NAME}: ${error.issues
    .map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`)
    .join('; ')}`;
}

/** The branch when the model names none: stable for a title, so a retried call pushes the same branch. */
export function defaultBranchOf(runId: string, title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `ambit/${slug || 'changes'}-${runId.replace(/[^A-Za-z0-9]/g, '').slice(-8)}`;
}

/**
 * The tool, when the run can open pull requests: its team has a GitHub integration with a token or GitHub App
 * credentials (the run's trigger, or one covering the repository the model names; checked when it is called).
 */
export async function pullRequestToolsFor(deps: PlatformDeps, runId: string): Promise<ToolDefinition[]> {
  if (!deps.secretKeys) return [];
  return (await runHasGithubCredentials(deps, runId)) ? [PULL_REQUEST_TOOL] : [];
}

/** Platform side, before the host runs the call: validates the input, resolves the target and seals the token. */
export async function preparePullRequest(
  deps: PlatformDeps,
  runId: string,
  rawInput: unknown,
): Promise<PreparedPullRequest> {
  const parsed = OpenPullRequestInput.safeParse(rawInput);
  if (!parsed.success) return { error: invalidInput(parsed.error) };
  if (!deps.secretKeys) return { error: 'this platform worker has no secrets configuration: it cannot read tokens' };
  const input = parsed.data;
  try {
    const target = await runGithubTarget(serviceDeps(deps, deps.secretKeys), runId, input.repository);
    const token = await targetToken(target);
    rememberSecretValues([token]);
    return {
      push: {
        remoteUrl: target.remoteUrl,
        branch: input.branch ?? defaultBranchOf(runId, input.title),
        path: input.path ?? '.',
        title: input.title,
        ...(input.body ? { body: input.body } : {}),
        sealedToken: sealForHost(hostKeyOf(deps.secretKeys), runId, { GITHUB_TOKEN: token }),
      },
    };
  } catch (err) {
    return { error: `cannot open a pull request: ${messageOf(err)}` };
  }
}

/**
 * The script that commits and pushes, run with `sh -c` where the workspace is. Every value arrives as an
 * environment variable (no quoting of model input into the command); the token only as git's `http.extraHeader`.
 */
const PUSH_SCRIPT = [
  'set -e',
  'cd -- "$AMBIT_PR_PATH" 2>/dev/null || { echo "no such folder in the workspace: $AMBIT_PR_PATH" >&2; exit 3; }',
  'git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "not a git repository: $AMBIT_PR_PATH" >&2; exit 3; }',
  'git config user.name >/dev/null || { export GIT_AUTHOR_NAME=Ambit GIT_COMMITTER_NAME=Ambit; }',
  'git config user.email >/dev/null || { export GIT_AUTHOR_EMAIL=ambit@localhost GIT_COMMITTER_EMAIL=ambit@localhost; }',
  // The branch the work started from (when it tracks one): a PR needs at least one commit beyond it.
  'upstream=$(git rev-parse -q --verify "@{upstream}" 2>/dev/null || true)',
  'git checkout -q -B "$AMBIT_PR_BRANCH"',
  'git add -A',
  'if ! git diff --cached --quiet; then printf "%s\\n\\n%s\\n" "$AMBIT_PR_TITLE" "$AMBIT_PR_BODY" | git commit -q -F -; fi',
  'if [ -n "$upstream" ] && [ "$(git rev-parse HEAD)" = "$upstream" ]; then echo "no changes to open a pull request with" >&2; exit 4; fi',
  'git push -q --porcelain "$AMBIT_PR_REMOTE" "HEAD:refs/heads/$AMBIT_PR_BRANCH" >/dev/null',
  'git rev-parse HEAD',
].join('\n');

/** Host side: commits the changes on the branch and pushes it, with the token opened from its sealed form. */
export async function pushPullRequestBranch(
  prepared: PreparedPullRequest | undefined,
  ctx: {
    provider: EnvironmentProvider;
    handle: EnvironmentHandle;
    signal?: AbortSignal;
    unsealSecrets?: (sealed: string) => Record<string, string>;
  },
): Promise<ToolOutcome> {
  if (!prepared) return { state: 'failed', output: { error: `${PULL_REQUEST_TOOL_NAME} was not prepared` } };
  if ('error' in prepared) return { state: 'failed', output: { error: prepared.error } };
  const { push } = prepared;
  if (!ctx.unsealSecrets) {
    return { state: 'failed', output: { error: 'this host worker has no host key: it cannot open the token' } };
  }
  const token = ctx.unsealSecrets(push.sealedToken)['GITHUB_TOKEN'] ?? '';
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  const result = await ctx.provider.exec(ctx.handle, PUSH_SCRIPT, {
    env: {
      AMBIT_PR_PATH: push.path,
      AMBIT_PR_BRANCH: push.branch,
      AMBIT_PR_REMOTE: push.remoteUrl,
      AMBIT_PR_TITLE: push.title,
      AMBIT_PR_BODY: push.body ?? '',
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    },
    timeoutMs: 180_000,
    outputCapBytes: TOOL_OUTPUT_CAP_BYTES,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const scrub = (s: string) => s.split(token).join('***').split(basic).join('***').trim();
  if (result.exitCode !== 0) {
    const reason = scrub(result.stderr).split('\n').slice(-3).join(' ') || (result.timedOut ? 'timed out' : '');
    return {
      state: 'failed',
      output: { error: `could not commit and push ${push.branch}: ${reason}`, branch: push.branch },
    };
  }
  return {
    state: 'completed',
    output: { pushed: true, branch: push.branch, commit: scrub(result.stdout).split('\n').pop() ?? '' },
  };
}

/**
 * Platform side, recording the host's result: a pushed branch becomes a PR (created once; a repeat returns the
 * recorded one) and the PULL_REQUEST artifact. Answers the outcome to store as the call's result.
 */
export async function completePullRequest(
  deps: PlatformDeps,
  runId: string,
  rawInput: unknown,
  outcome: ToolOutcome,
): Promise<ToolOutcome> {
  if (outcome.state !== 'completed' || outcome.output['pushed'] !== true) return outcome;
  const branch = String(outcome.output['branch']);
  const input = rawInput as OpenPullRequestInput;
  try {
    const recorded = await recordedPullRequest(deps, runId, branch);
    const keys = deps.secretKeys;
    if (!recorded && !keys) throw new Error('this platform worker has no secrets configuration');
    const pr =
      recorded ??
      (await recordRunPullRequest(
        serviceDeps(deps, keys!),
        runId,
        await runGithubTarget(serviceDeps(deps, keys!), runId, input.repository),
        {
          branch,
          title: input.title,
          ...(input.body ? { body: input.body } : {}),
          ...(input.base ? { base: input.base } : {}),
        },
      ));
    return {
      state: 'completed',
      output: { url: pr.url, branch: pr.branch, base: pr.base, title: pr.title, commit: outcome.output['commit'] },
    };
  } catch (err) {
    return {
      state: 'failed',
      output: { error: `branch ${branch} was pushed but the pull request was not created: ${messageOf(err)}`, branch },
    };
  }
}
