/**
 * Progress on GitHub: one comment per run on its issue or PR, created on the first report and edited in place after.
 * The comment carries a marker with the run id, so a report retried after a lost response finds the comment it
 * created instead of posting a second one.
 */
import type { Octokit } from '@octokit/rest';
import type { RunReport } from '../types';
import { splitRepo } from './config';
import { COMMENT_MARKER_PREFIX } from './events';

const MAX_ANSWER_CHARS = 60_000;
const STATE_WORDS: Record<string, string> = {
  QUEUED: '⏳ queued',
  PENDING: '⏳ starting',
  CLAIMED: '⏳ preparing the environment',
  INPROGRESS: '🔄 working',
  BLOCKED: '✋ waiting for an approval',
  SUCCEEDED: '✅ done',
  FAILED: '❌ failed',
  ERROR: '❌ stopped by an error',
  CANCELLED: '⏹ cancelled',
};

export function markerOf(runId: string): string {
  return `${COMMENT_MARKER_PREFIX}${runId} -->`;
}

export function renderGithubComment(report: RunReport): string {
  const lines = [
    markerOf(report.runId),
    `**Ambit** · [${report.title}](${report.link}) · ${STATE_WORDS[report.state] ?? report.state}`,
  ];
  if (report.statusMessage && !report.finalAnswer) lines.push('', `> ${report.statusMessage.replace(/\n/g, ' ')}`);
  if (report.finalAnswer) {
    const answer =
      report.finalAnswer.length > MAX_ANSWER_CHARS
        ? `${report.finalAnswer.slice(0, MAX_ANSWER_CHARS)}\n\n…(cut; the full answer is on the run page)`
        : report.finalAnswer;
    lines.push('', answer);
  }
  for (const pr of report.pullRequests) lines.push('', `Pull request: ${pr.url}${pr.branch ? ` (${pr.branch})` : ''}`);
  return lines.join('\n');
}

interface GithubTarget {
  repo: string;
  issue_number: number;
  comment_id?: number;
}

function targetOf(raw: Record<string, unknown>): GithubTarget | undefined {
  if (typeof raw['repo'] !== 'string' || typeof raw['issue_number'] !== 'number') return undefined;
  return {
    repo: raw['repo'],
    issue_number: raw['issue_number'],
    ...(typeof raw['comment_id'] === 'number' ? { comment_id: raw['comment_id'] } : {}),
  };
}

/** Creates or edits the run's comment; returns the target with the comment id when it was created. */
export async function reportToGithub(
  octokit: Octokit,
  report: RunReport,
): Promise<Record<string, unknown> | undefined> {
  const target = targetOf(report.target);
  if (!target) return undefined;
  const { owner, repo } = splitRepo(target.repo);
  const body = renderGithubComment(report);
  let commentId = target.comment_id;
  if (commentId === undefined) {
    // A retried first report: find the comment a lost response created.
    const marker = markerOf(report.runId);
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: target.issue_number,
      per_page: 100,
    });
    commentId = comments.find((c) => c.body?.includes(marker))?.id;
  }
  if (commentId !== undefined) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: commentId, body });
    return target.comment_id === undefined ? { ...report.target, comment_id: commentId } : undefined;
  }
  const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: target.issue_number, body });
  return { ...report.target, comment_id: created.data.id };
}
