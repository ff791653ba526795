/**
 * Webhook registration on GitHub: one organization webhook, or one repository webhook per repository, delivering
 * the events runs start from to this integration's hook URL, signed with its webhook secret.
 */
import { RequestError } from '@octokit/request-error';
import type { IntegrationContext, RegisterResult } from '../types';
import { githubClient, githubConfigOf, splitRepo } from './config';

export const GITHUB_HOOK_EVENTS = ['issue_comment', 'issues', 'pull_request_review_comment'];

/** What remoteHookId holds: the hooks to remove on delete. */
interface RegisteredHook {
  repo?: string;
  org?: string;
  id: number;
}

export async function registerGithubHooks(ctx: IntegrationContext): Promise<RegisterResult> {
  const config = githubConfigOf(ctx);
  if (!config.register_webhook) {
    return {
      instructions: `Add a webhook (JSON, events: ${GITHUB_HOOK_EVENTS.join(', ')}) that posts to ${ctx.hookUrl}`,
    };
  }
  const secret = await ctx.secret('webhook_secret');
  if (!secret) throw new Error('the GitHub integration has no webhook_secret');
  const octokit = await githubClient(ctx, config);
  const hookConfig = { url: ctx.hookUrl, content_type: 'json' as const, secret, insecure_ssl: '0' as const };
  const hooks: RegisteredHook[] = [];
  try {
    if (config.organization) {
      const created = await octokit.rest.orgs.createWebhook({
        org: config.organization,
        name: 'web',
        config: hookConfig,
        events: GITHUB_HOOK_EVENTS,
        active: true,
      });
      hooks.push({ org: config.organization, id: created.data.id });
    }
    for (const full of config.repositories ?? []) {
      const { owner, repo } = splitRepo(full);
      const created = await octokit.rest.repos.createWebhook({
        owner,
        repo,
        name: 'web',
        config: hookConfig,
        events: GITHUB_HOOK_EVENTS,
        active: true,
      });
      hooks.push({ repo: full, id: created.data.id });
    }
  } catch (err) {
    // Leave nothing behind: a half-registered integration is not created.
    await removeHooks(ctx, hooks).catch(() => undefined);
    throw err;
  }
  return { remoteHookId: JSON.stringify(hooks) };
}

export async function unregisterGithubHooks(ctx: IntegrationContext): Promise<void> {
  if (!ctx.integration.remoteHookId) return;
  await removeHooks(ctx, JSON.parse(ctx.integration.remoteHookId) as RegisteredHook[]);
}

async function removeHooks(ctx: IntegrationContext, hooks: RegisteredHook[]): Promise<void> {
  if (hooks.length === 0) return;
  const octokit = await githubClient(ctx);
  for (const hook of hooks) {
    try {
      if (hook.org) await octokit.rest.orgs.deleteWebhook({ org: hook.org, hook_id: hook.id });
      else if (hook.repo) await octokit.rest.repos.deleteWebhook({ ...splitRepo(hook.repo), hook_id: hook.id });
    } catch (err) {
      // Already removed on GitHub's side: that is the state we want.
      if (!(err instanceof RequestError && err.status === 404)) throw err;
    }
  }
}
