/**
 * The GitHub integration: webhook deliveries verified with @octokit/webhooks (X-Hub-Signature-256), mentions and
 * labels start runs with the issue or PR as context, progress goes back as one comment edited in place.
 */
import { AppError } from '../../services/app-error';
import { SignatureError, type IntegrationAdapter } from '../types';
import { GithubConfigSchema, githubClient, githubConfigOf } from './config';
import { buildGithubContext } from './context';
import { parseGithubEvent } from './events';
import { registerGithubHooks, unregisterGithubHooks } from './register';
import { reportToGithub } from './report';

export { GithubConfigSchema } from './config';

export const githubAdapter: IntegrationAdapter = {
  type: 'github',
  source: 'GITHUB',
  configSchema: GithubConfigSchema,
  secretRoles: [
    { role: 'webhook_secret', required: true, description: 'the secret GitHub signs deliveries with' },
    {
      role: 'token',
      required: false,
      description: 'a token that may read issues, comment, manage hooks and open PRs (or use a GitHub App)',
    },
    { role: 'app_private_key', required: false, description: "the GitHub App's private key (PEM), with app_id" },
  ],

  checkSecrets(config, secretRefs) {
    if (config['app_id'] !== undefined) {
      return secretRefs['app_private_key'] ? undefined : 'secret_refs.app_private_key: required with app_id';
    }
    return secretRefs['token']
      ? undefined
      : 'secret_refs.token: required (a token that may read issues, comment, manage hooks and open PRs), unless app_id, installation_id and app_private_key give GitHub App credentials';
  },

  async handleRequest(ctx, req) {
    const secret = await ctx.secret('webhook_secret');
    if (!secret) throw new SignatureError('the integration has no webhook_secret configured');
    const signature = req.headers['x-hub-signature-256'];
    if (!signature) throw new SignatureError('missing X-Hub-Signature-256 header');
    const body = req.rawBody.toString('utf8');
    // Imported when first needed: @octokit/webhooks is ESM whose dependency @octokit/webhooks-methods exports only
    // `import` conditions, which a CommonJS require (tsx's, when the API runs from source) cannot resolve.
    const { Webhooks } = await import('@octokit/webhooks');
    const valid = await new Webhooks({ secret }).verify(body, signature).catch(() => false);
    if (!valid) throw new SignatureError('X-Hub-Signature-256 does not match the body');

    const name = req.headers['x-github-event'] ?? '';
    const deliveryId = req.headers['x-github-delivery'];
    if (name === 'ping') return { kind: 'respond', status: 200, body: { ok: true } };
    if (!deliveryId) return { kind: 'ignore', reason: 'no X-GitHub-Delivery header' };
    const config = githubConfigOf(ctx);
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      throw new AppError('invalid_request', 'body: must be JSON (set the webhook content type to application/json)');
    }
    const parsed = parseGithubEvent(config, name, deliveryId, payload);
    if (parsed.kind === 'ignore') return parsed;
    return {
      kind: 'events',
      events: [
        {
          ...parsed.event,
          buildContext: async () => buildGithubContext(await githubClient(ctx, config), parsed.subject),
        },
      ],
    };
  },

  async reportRun(ctx, report) {
    return reportToGithub(await githubClient(ctx), report);
  },

  register: registerGithubHooks,
  unregister: unregisterGithubHooks,
};
