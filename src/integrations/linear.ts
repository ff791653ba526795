/**
 * Linear: a webhook (registered through the API on create, removed on delete) delivers issue and comment changes.
 * An issue assigned (or delegated) to the agent's user, or given the configured label, starts a run with the issue
 * as context; a new comment on that issue is a follow-up to the same run, because the issue is the conversation
 * key. Progress and the result are one comment on the issue, created once and edited in place.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  createLinearClient,
  registerLinearWebhook,
  unregisterLinearWebhook,
  upsertLinearComment,
} from './linear-client';
import { decideLinearEvent, formatLinearIssueContext, linearProgressCommentId } from './linear-events';
import { verifyLinearSignature } from './linear-signature';
import { SignatureError, type IntegrationAdapter, type IntegrationContext, type RunReport } from './types';
import { requiredSecret } from './required-secret';

export const LINEAR_DELIVERY_HEADER = 'linear-delivery';
export const LINEAR_SIGNATURE_HEADER = 'linear-signature';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export const LinearConfigSchema = z
  .object({
    /** The Linear user the agent acts as (the API key's user or the OAuth app's user): issues assigned or delegated
     * to it start runs, and its own comments are never input. */
    agent_user_id: z.string().min(1).optional(),
    /** A label (name or id): issues given it start runs. */
    label: z.string().min(1).max(80).optional(),
    /** The Linear team (id or key) whose events the webhook receives; all public teams when unset. */
    team_id: z.string().min(1).optional(),
    /**
     * The GraphQL API URL: Linear's (default), or a loopback URL for local test servers. Any other host is refused:
     * the API key is sent there, and secrets are write-only, so an admin must not be able to redirect it.
     */
    api_url: z
      .url({ protocol: /^https?$/, error: 'api_url must be an http(s) URL such as https://api.linear.app/graphql' })
      .refine(
        (u) => new URL(u).host === 'api.linear.app' || LOOPBACK.has(new URL(u).hostname),
        'api_url must be on api.linear.app (or a loopback address for tests)',
      )
      .optional(),
  })
  .refine((c) => c.agent_user_id !== undefined || c.label !== undefined, {
    message: 'set agent_user_id (issues assigned to the agent) or label (issues given a label), or both',
    path: ['agent_user_id'],
  });
export type LinearConfig = z.infer<typeof LinearConfigSchema>;

export const LinearTargetSchema = z.object({
  issue_id: z.string(),
  identifier: z.string().optional(),
  /** The progress comment, once created. */
  comment_id: z.string().optional(),
});

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'ERROR', 'CANCELLED']);
const STATE_LABEL: Record<string, string> = {
  QUEUED: 'Queued',
  PENDING: 'Starting',
  CLAIMED: 'Starting',
  INPROGRESS: 'Working on it',
  BLOCKED: 'Waiting for approval',
  SUCCEEDED: 'Done',
  FAILED: 'Failed',
  ERROR: 'Stopped by an error',
  CANCELLED: 'Cancelled',
};

/** The comment body (Linear markdown) for a report: state and link, then the answer or the latest status. */
export function linearCommentBody(
  report: Pick<RunReport, 'state' | 'link' | 'title' | 'statusMessage' | 'finalAnswer' | 'pullRequests'>,
): string {
  const parts = [`**Ambit** · ${STATE_LABEL[report.state] ?? report.state} · [${report.title}](${report.link})`];
  if (TERMINAL.has(report.state) && report.finalAnswer) parts.push(report.finalAnswer);
  else if (report.statusMessage) parts.push(`_${report.statusMessage.slice(0, 1_000)}_`);
  if (report.pullRequests.length > 0) parts.push(report.pullRequests.map((pr) => `Pull request: ${pr.url}`).join('\n'));
  return parts.join('\n\n');
}

async function linearClientFor(ctx: IntegrationContext) {
  const config = LinearConfigSchema.parse(ctx.integration.config);
  return createLinearClient({ token: await requiredSecret(ctx, 'api_key'), apiUrl: config.api_url });
}

export const linearAdapter: IntegrationAdapter = {
  type: 'linear',
  source: 'LINEAR',
  configSchema: LinearConfigSchema,
  secretRoles: [
    {
      role: 'api_key',
      required: true,
      description: 'a Linear API key (lin_api_…) or OAuth access token, to comment and register the webhook',
    },
    {
      role: 'webhook_secret',
      required: true,
      description: 'the signing secret Linear signs deliveries with (given to Linear when the webhook is registered)',
    },
  ],

  async handleRequest(ctx, req) {
    const config = LinearConfigSchema.parse(ctx.integration.config);
    const secret = await ctx.secret('webhook_secret');
    if (!secret) throw new SignatureError('the integration has no webhook_secret configured');
    const check = verifyLinearSignature({
      secret,
      signature: req.headers[LINEAR_SIGNATURE_HEADER],
      rawBody: req.rawBody,
      now: ctx.now().getTime(),
    });
    if (!check.ok) throw new SignatureError(check.reason);

    const body: unknown = JSON.parse(req.rawBody.toString('utf8'));
    const decision = decideLinearEvent(body, { agentUserId: config.agent_user_id, label: config.label });
    if (decision.kind === 'ignore') return { kind: 'ignore', reason: decision.reason };
    const delivery =
      req.headers[LINEAR_DELIVERY_HEADER] ?? createHash('sha256').update(req.rawBody).digest('hex').slice(0, 32);

    if (decision.kind === 'issue') {
      const { issue } = decision;
      const name = issue.identifier ?? issue.id;
      return {
        kind: 'events',
        events: [
          {
            deliveryId: `linear:${delivery}`,
            conversationKey: `linear:issue:${issue.id}`,
            prompt:
              decision.reason === 'assigned'
                ? `Linear issue ${name} was assigned to you: ${issue.title}`
                : `Linear issue ${name} was labelled ${config.label ?? ''} for you: ${issue.title}`,
            startsRun: true,
            title: `${name}: ${issue.title}`,
            ...(decision.url ? { triggerUrl: decision.url } : {}),
            target: { issue_id: issue.id, ...(issue.identifier ? { identifier: issue.identifier } : {}) },
            ...(decision.actor ? { actor: decision.actor } : {}),
            buildContext: () => Promise.resolve({ text: formatLinearIssueContext(issue, decision.url) }),
          },
        ],
      };
    }
    const { comment } = decision;
    return {
      kind: 'events',
      events: [
        {
          // One comment is one follow-up, whatever Linear's delivery id for a redelivery of it.
          deliveryId: `linear:comment:${comment.id}`,
          conversationKey: `linear:issue:${decision.issueId}`,
          prompt: comment.body,
          startsRun: false,
          ...(decision.url ? { triggerUrl: decision.url } : {}),
          target: { issue_id: decision.issueId },
          ...(decision.actor ? { actor: decision.actor } : {}),
        },
      ],
    };
  },

  async reportRun(ctx, report) {
    const target = LinearTargetSchema.parse(report.target);
    const client = await linearClientFor(ctx);
    const commentId = target.comment_id ?? linearProgressCommentId(target.issue_id);
    await upsertLinearComment(client, {
      commentId,
      issueId: target.issue_id,
      body: linearCommentBody(report),
      exists: target.comment_id !== undefined,
    });
    return target.comment_id === undefined ? { ...target, comment_id: commentId } : undefined;
  },

  async register(ctx) {
    const config = LinearConfigSchema.parse(ctx.integration.config);
    const client = await linearClientFor(ctx);
    const remoteHookId = await registerLinearWebhook(client, {
      url: ctx.hookUrl,
      secret: await requiredSecret(ctx, 'webhook_secret'),
      label: `Ambit: ${ctx.integration.name}`.slice(0, 80),
      ...(config.team_id ? { teamId: config.team_id } : {}),
    });
    return { remoteHookId };
  },

  async unregister(ctx) {
    if (!ctx.integration.remoteHookId) return;
    await unregisterLinearWebhook(await linearClientFor(ctx), ctx.integration.remoteHookId);
  },
};
