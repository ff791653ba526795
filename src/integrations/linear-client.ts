/**
 * What the Linear trigger asks of Linear's GraphQL API, through `@linear/sdk`: one progress comment per issue,
 * created with a client-chosen id and then edited in place, and the webhook registered on create, removed on delete.
 */
import { LinearClient } from '@linear/sdk';

export const LINEAR_API_URL = 'https://api.linear.app/graphql';
/** The resources the trigger subscribes to: issues (assignment, labels) and comments (follow-ups). */
export const LINEAR_RESOURCE_TYPES = ['Issue', 'Comment'] as const;

/**
 * A personal API key (`lin_api_…`) is sent as is; anything else is taken as an OAuth access token (app actors),
 * which Linear expects as `Bearer`.
 */
export function createLinearClient(input: { token: string; apiUrl?: string }): LinearClient {
  const apiUrl = input.apiUrl ?? LINEAR_API_URL;
  return input.token.startsWith('lin_api_')
    ? new LinearClient({ apiKey: input.token, apiUrl })
    : new LinearClient({ accessToken: input.token, apiUrl });
}

function isAlreadyExists(err: unknown): boolean {
  const text = err instanceof Error ? err.message : String(err);
  return /already exists|conflict|duplicate/i.test(text);
}

/**
 * Creates the comment with `commentId`, or edits it when it exists (a retried report, or a later one): the id is
 * chosen by the caller, so the same report never leaves two comments.
 */
export async function upsertLinearComment(
  client: LinearClient,
  input: { commentId: string; issueId: string; body: string; exists: boolean },
): Promise<void> {
  if (!input.exists) {
    try {
      const created = await client.createComment({ id: input.commentId, issueId: input.issueId, body: input.body });
      if (!created.success) throw new Error('Linear did not create the comment');
      return;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  const updated = await client.updateComment(input.commentId, { body: input.body });
  if (!updated.success) throw new Error('Linear did not update the comment');
}

export async function registerLinearWebhook(
  client: LinearClient,
  input: { url: string; secret: string; label: string; teamId?: string },
): Promise<string> {
  const payload = await client.createWebhook({
    url: input.url,
    secret: input.secret,
    label: input.label,
    resourceTypes: [...LINEAR_RESOURCE_TYPES],
    ...(input.teamId ? { teamId: input.teamId } : { allPublicTeams: true }),
  });
  const id = payload.webhookId;
  if (!payload.success || !id) throw new Error('Linear did not create the webhook');
  return id;
}

export async function unregisterLinearWebhook(client: LinearClient, webhookId: string): Promise<void> {
  try {
    await client.deleteWebhook(webhookId);
  } catch (err) {
    // Already gone (deleted in Linear's settings): the goal, no webhook, holds.
    if (/not found/i.test(err instanceof Error ? err.message : String(err))) return;
    throw err;
  }
}
