/**
 * GitHub webhook payloads that start or continue runs: a mention in an issue or PR comment, a configured label added
 * to an issue, a mention in a PR review comment. Everything else is ignored. Parsed with zod (only what we read).
 */
import { z } from 'zod';
import type { TriggerEvent } from '../types';
import { coversRepository, type GithubConfig } from './config';

/** Marks Ambit's own progress comments, so their creation events never start runs. */
export const COMMENT_MARKER_PREFIX = '<!-- ambit-run:';

const User = z.object({ login: z.string(), type: z.string().optional() });
const Label = z.object({ name: z.string() });
const Repository = z.object({ full_name: z.string(), html_url: z.string().optional() });
const Issue = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullish(),
  html_url: z.string(),
  labels: z.array(z.union([Label, z.string()])).optional(),
  pull_request: z.object({ url: z.string() }).nullish(),
  user: User.optional(),
});
const Comment = z.object({ id: z.number(), body: z.string().nullish(), html_url: z.string(), user: User });

const IssueCommentPayload = z.object({ action: z.string(), issue: Issue, comment: Comment, repository: Repository });
const IssuesPayload = z.object({
  action: z.string(),
  issue: Issue,
  label: Label.optional(),
  repository: Repository,
  sender: User.optional(),
});
const ReviewCommentPayload = z.object({
  action: z.string(),
  comment: Comment.extend({ path: z.string().optional(), diff_hunk: z.string().optional() }),
  pull_request: z.object({
    number: z.number().int(),
    title: z.string(),
    body: z.string().nullish(),
    html_url: z.string(),
  }),
  repository: Repository,
});

/** What the context builder needs to know about the issue or PR. */
export interface GithubSubject {
  repo: string;
  number: number;
  isPullRequest: boolean;
  title: string;
  body: string;
  labels: string[];
  /** For review comments: the file and hunk the comment is on. */
  reviewPath?: string;
  diffHunk?: string;
}

export type ParsedGithubEvent =
  | { kind: 'ignore'; reason: string }
  | { kind: 'event'; event: Omit<TriggerEvent, 'buildContext'>; subject: GithubSubject };

function mentionIn(body: string, mention: string): boolean {
  const escaped = mention.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}(?![A-Za-z0-9_-])`, 'i').test(body);
}

function withoutMention(body: string, mention: string): string {
  const escaped = mention.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return body.replace(new RegExp(escaped, 'gi'), '').trim();
}

function labelNames(labels: z.infer<typeof Issue>['labels']): string[] {
  return (labels ?? []).map((l) => (typeof l === 'string' ? l : l.name));
}

export function conversationKeyOf(repo: string, number: number): string {
  return `github:${repo.toLowerCase()}#${number}`;
}

/**
 * A comment (on an issue, a pull request, or a line of a pull request's diff) that mentions the app: one event
 * in the conversation of its issue or pull request. Bots' comments (Ambit's own progress comment among them),
 * comments without the mention and repositories the integration does not cover are ignored.
 */
function commentEvent(
  config: GithubConfig,
  deliveryId: string,
  repository: z.infer<typeof Repository>,
  comment: z.infer<typeof Comment>,
  subject: Omit<GithubSubject, 'repo'>,
): ParsedGithubEvent {
  const body = comment.body ?? '';
  if (body.includes(COMMENT_MARKER_PREFIX) || comment.user.type === 'Bot') {
    return { kind: 'ignore', reason: 'a comment by a bot (or by Ambit itself)' };
  }
  if (!mentionIn(body, config.mention)) return { kind: 'ignore', reason: `no ${config.mention} mention` };
  if (!coversRepository(config, repository.full_name)) {
    return { kind: 'ignore', reason: `${repository.full_name} is not one of this integration's repositories` };
  }
  const ref = `${repository.full_name}#${subject.number}`;
  return {
    kind: 'event',
    event: {
      deliveryId,
      conversationKey: conversationKeyOf(repository.full_name, subject.number),
      prompt: withoutMention(body, config.mention) || `Look into ${ref}.`,
      startsRun: true,
      title: `${ref}: ${subject.title}`,
      triggerUrl: comment.html_url,
      target: { repo: repository.full_name, issue_number: subject.number },
      actor: comment.user.login,
    },
    subject: { repo: repository.full_name, ...subject },
  };
}

export function parseGithubEvent(
  config: GithubConfig,
  name: string,
  deliveryId: string,
  payload: unknown,
): ParsedGithubEvent {
  if (name === 'issue_comment') {
    const p = IssueCommentPayload.safeParse(payload);
    if (!p.success) return { kind: 'ignore', reason: 'issue_comment payload without the expected fields' };
    const { issue, comment, repository } = p.data;
    if (p.data.action !== 'created') return { kind: 'ignore', reason: `issue_comment ${p.data.action}` };
    return commentEvent(config, deliveryId, repository, comment, {
      number: issue.number,
      isPullRequest: Boolean(issue.pull_request),
      title: issue.title,
      body: issue.body ?? '',
      labels: labelNames(issue.labels),
    });
  }
  if (name === 'issues') {
    const p = IssuesPayload.safeParse(payload);
    if (!p.success) return { kind: 'ignore', reason: 'issues payload without the expected fields' };
    const { issue, label, repository } = p.data;
    if (p.data.action !== 'labeled' || !label) return { kind: 'ignore', reason: `issues ${p.data.action}` };
    if (!config.labels.some((l) => l.toLowerCase() === label.name.toLowerCase())) {
      return { kind: 'ignore', reason: `label ${label.name} does not start runs` };
    }
    if (!coversRepository(config, repository.full_name)) {
      return { kind: 'ignore', reason: `${repository.full_name} is not one of this integration's repositories` };
    }
    return {
      kind: 'event',
      event: {
        deliveryId,
        conversationKey: conversationKeyOf(repository.full_name, issue.number),
        prompt: `Work on issue ${repository.full_name}#${issue.number}: ${issue.title}`,
        startsRun: true,
        title: `${repository.full_name}#${issue.number}: ${issue.title}`,
        triggerUrl: issue.html_url,
        target: { repo: repository.full_name, issue_number: issue.number },
        ...(p.data.sender ? { actor: p.data.sender.login } : {}),
      },
      subject: {
        repo: repository.full_name,
        number: issue.number,
        isPullRequest: false,
        title: issue.title,
        body: issue.body ?? '',
        labels: labelNames(issue.labels),
      },
    };
  }
  if (name === 'pull_request_review_comment') {
    const p = ReviewCommentPayload.safeParse(payload);
    if (!p.success)
      return { kind: 'ignore', reason: 'pull_request_review_comment payload without the expected fields' };
    const { comment, pull_request: pr, repository } = p.data;
    if (p.data.action !== 'created') return { kind: 'ignore', reason: `pull_request_review_comment ${p.data.action}` };
    return commentEvent(config, deliveryId, repository, comment, {
      number: pr.number,
      isPullRequest: true,
      title: pr.title,
      body: pr.body ?? '',
      labels: [],
      ...(comment.path ? { reviewPath: comment.path } : {}),
      ...(comment.diff_hunk ? { diffHunk: comment.diff_hunk } : {}),
    });
  }
  return { kind: 'ignore', reason: `${name} events do not start runs` };
}
