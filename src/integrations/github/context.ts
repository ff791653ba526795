/**
 * The context a GitHub-triggered run starts with: the issue or PR (title, body, labels), and for PRs the diff and
 * the logs of failing checks, fetched with Octokit. A piece that cannot be fetched is named, not fatal.
 */
import type { Octokit } from '@octokit/rest';
import type { TriggerContext } from '../types';
import { splitRepo } from './config';
import type { GithubSubject } from './events';

const MAX_DIFF_CHARS = 60_000;
const MAX_LOG_CHARS = 12_000;
const MAX_FAILING_CHECKS = 3;
const FAILED_CONCLUSIONS = new Set(['failure', 'timed_out', 'action_required', 'startup_failure']);

function tail(text: string, max: number): string {
  return text.length <= max ? text : `…(${text.length - max} characters cut)\n${text.slice(-max)}`;
}

function head(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}\n…(${text.length - max} characters cut)`;
}

/** Octokit types these media-type responses as JSON objects; they arrive as text. */
function textOf(data: unknown): string {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return JSON.stringify(data);
}

function why(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : 'unknown error';
}

export async function buildGithubContext(octokit: Octokit, subject: GithubSubject): Promise<TriggerContext> {
  const { owner, repo } = splitRepo(subject.repo);
  const kind = subject.isPullRequest ? 'Pull request' : 'Issue';
  const parts: string[] = [
    `${kind} ${subject.repo}#${subject.number}: ${subject.title}`,
    subject.labels.length ? `Labels: ${subject.labels.join(', ')}` : 'Labels: none',
    '',
    subject.body.trim() || '(no description)',
  ];
  if (subject.reviewPath) {
    parts.push('', `The comment is on ${subject.reviewPath}:`, '```diff', subject.diffHunk ?? '', '```');
  }
  if (subject.isPullRequest) {
    try {
      const diff = await octokit.rest.pulls.get({
        owner,
        repo,
        pull_number: subject.number,
        mediaType: { format: 'diff' },
      });
      parts.push('', 'Diff:', '```diff', head(textOf(diff.data), MAX_DIFF_CHARS), '```');
    } catch (err) {
      parts.push('', `(the diff could not be fetched: ${why(err)})`);
    }
    try {
      const pr = await octokit.rest.pulls.get({ owner, repo, pull_number: subject.number });
      parts.push('', `Branch: ${pr.data.head.ref} → ${pr.data.base.ref} (head ${pr.data.head.sha})`);
      const checks = await octokit.rest.checks.listForRef({ owner, repo, ref: pr.data.head.sha, per_page: 100 });
      const failing = checks.data.check_runs.filter((c) => c.conclusion && FAILED_CONCLUSIONS.has(c.conclusion));
      for (const check of failing.slice(0, MAX_FAILING_CHECKS)) {
        parts.push('', `Failing check "${check.name}" (${check.conclusion ?? 'failed'}):`);
        try {
          const logs = await octokit.rest.actions.downloadJobLogsForWorkflowRun({ owner, repo, job_id: check.id });
          parts.push('```', tail(textOf(logs.data), MAX_LOG_CHARS), '```');
        } catch (err) {
          const summary = check.output?.summary ?? check.output?.title;
          parts.push(summary ? summary : `(its log could not be fetched: ${why(err)})`);
        }
      }
    } catch (err) {
      parts.push('', `(checks could not be fetched: ${why(err)})`);
    }
  }
  return { text: parts.join('\n') };
}
