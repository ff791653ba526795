/**
 * Linear webhook payloads (https://linear.app/developers/webhooks#data-change-events-payload) reduced to what a
 * trigger decides on. Pure: no I/O, so every branch is unit-tested on Linear's documented sample payloads.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const LabelSchema = z.looseObject({ id: z.string(), name: z.string() });

export const LinearIssueDataSchema = z.looseObject({
  id: z.string(),
  identifier: z.string().optional(),
  number: z.number().optional(),
  title: z.string(),
  description: z.string().nullish(),
  url: z.string().optional(),
  assigneeId: z.string().nullish(),
  /** Issues delegated to an app user (Linear's agents) carry the app's user id here. */
  delegateId: z.string().nullish(),
  labelIds: z.array(z.string()).optional().default([]),
  labels: z.array(LabelSchema).optional().default([]),
  team: z.looseObject({ key: z.string().optional(), name: z.string().optional() }).nullish(),
});
export type LinearIssueData = z.infer<typeof LinearIssueDataSchema>;

export const LinearCommentDataSchema = z.looseObject({
  id: z.string(),
  body: z.string(),
  issueId: z.string().nullish(),
  userId: z.string().nullish(),
  user: z.looseObject({ id: z.string().optional(), name: z.string().optional() }).nullish(),
  botActor: z.unknown().optional(),
  issue: z.looseObject({ id: z.string(), title: z.string().optional(), url: z.string().optional() }).nullish(),
});
export type LinearCommentData = z.infer<typeof LinearCommentDataSchema>;

export const LinearWebhookEnvelopeSchema = z.looseObject({
  action: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
  url: z.string().optional(),
  updatedFrom: z.record(z.string(), z.unknown()).optional(),
  actor: z
    .looseObject({ id: z.string().optional(), name: z.string().optional(), type: z.string().optional() })
    .optional(),
  webhookTimestamp: z.number(),
  webhookId: z.string().optional(),
  organizationId: z.string().optional(),
});

/** Which issues are the agent's: assigned (or delegated) to its user, or carrying its label (by name or id). */
export interface LinearTriggerSettings {
  agentUserId?: string;
  label?: string;
}

export type LinearEventDecision =
  | { kind: 'issue'; issue: LinearIssueData; reason: 'assigned' | 'labelled'; url?: string; actor?: string }
  | { kind: 'comment'; comment: LinearCommentData; issueId: string; url?: string; actor?: string }
  | { kind: 'ignore'; reason: string };

/** The ids of the issue's labels that are the configured one (given by name, case-insensitive, or by id). */
function matchingLabelIds(issue: LinearIssueData, label: string): string[] {
  const wanted = label.toLowerCase();
  const ids = issue.labels.filter((l) => l.id === label || l.name.toLowerCase() === wanted).map((l) => l.id);
  if (issue.labelIds.includes(label) && !ids.includes(label)) ids.push(label);
  return ids;
}

/**
 * The id of the comment a run reports on for an issue: derived from the issue, in UUID v4 form (Linear accepts a
 * client-chosen id), so a retried create finds the comment it already made and the webhook echo of that comment
 * is recognised as the agent's own.
 */
export function linearProgressCommentId(issueId: string): string {
  const h = createHash('sha256').update(`ambit-linear-progress\0${issueId}`).digest('hex');
  const variant = ((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** What to do with one (already signature-checked) Linear webhook body. */
export function decideLinearEvent(body: unknown, settings: LinearTriggerSettings): LinearEventDecision {
  const envelope = LinearWebhookEnvelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'ignore', reason: 'not a Linear data change event' };
  const { action, type, data, updatedFrom, url, actor } = envelope.data;
  const actorName = actor?.name ?? actor?.id;

  if (type === 'Issue') {
    if (action !== 'create' && action !== 'update') return { kind: 'ignore', reason: `issue ${action}` };
    const parsed = LinearIssueDataSchema.safeParse(data);
    if (!parsed.success) return { kind: 'ignore', reason: 'issue payload without id or title' };
    const issue = parsed.data;
    const issueUrl = issue.url ?? url;
    const agent = settings.agentUserId;
    const isAgents = (id: unknown) => agent !== undefined && id === agent;
    // On an update only the change counts: an edit to an issue that was already the agent's starts nothing.
    const changed = (field: string) =>
      updatedFrom !== undefined && field in updatedFrom && !isAgents(updatedFrom[field]);
    const assigned =
      (isAgents(issue.assigneeId) && (action === 'create' || changed('assigneeId'))) ||
      (isAgents(issue.delegateId) && (action === 'create' || changed('delegateId')));
    if (assigned) return { kind: 'issue', issue, reason: 'assigned', url: issueUrl, actor: actorName };
    if (settings.label !== undefined) {
      const ids = matchingLabelIds(issue, settings.label);
      const previous = updatedFrom?.['labelIds'];
      // On an update the label must be new: absent from the label ids the issue had before this change.
      const added =
        action === 'create'
          ? ids.length > 0
          : Array.isArray(previous) && ids.length > 0 && !ids.some((id) => (previous as unknown[]).includes(id));
      if (added) return { kind: 'issue', issue, reason: 'labelled', url: issueUrl, actor: actorName };
    }
    return { kind: 'ignore', reason: 'the issue was not assigned to the agent or given its label by this change' };
  }

  if (type === 'Comment') {
    if (action !== 'create') return { kind: 'ignore', reason: `comment ${action}` };
    const parsed = LinearCommentDataSchema.safeParse(data);
    if (!parsed.success) return { kind: 'ignore', reason: 'comment payload without id or body' };
    const comment = parsed.data;
    const issueId = comment.issueId ?? comment.issue?.id;
    if (!issueId) return { kind: 'ignore', reason: 'comment on something other than an issue' };
    if (comment.id === linearProgressCommentId(issueId)) return { kind: 'ignore', reason: "the agent's own comment" };
    const author = comment.userId ?? comment.user?.id;
    if (settings.agentUserId !== undefined && author === settings.agentUserId) {
      return { kind: 'ignore', reason: "the agent's own comment" };
    }
    if (comment.botActor) return { kind: 'ignore', reason: 'comment by an application' };
    return { kind: 'comment', comment, issueId, url: url ?? comment.issue?.url, actor: actorName };
  }
  return { kind: 'ignore', reason: `${type} events do not trigger runs` };
}

/** The issue as context for a run: title, identifier, labels, link and description. */
export function formatLinearIssueContext(issue: LinearIssueData, url: string | undefined): string {
  const lines = [`Linear issue ${issue.identifier ?? issue.id}: ${issue.title}`];
  if (url) lines.push(`URL: ${url}`);
  if (issue.team?.name) lines.push(`Team: ${issue.team.name}`);
  if (issue.labels.length > 0) lines.push(`Labels: ${issue.labels.map((l) => l.name).join(', ')}`);
  lines.push('', issue.description?.trim() ? issue.description.trim() : '(no description)');
  return lines.join('\n');
}
