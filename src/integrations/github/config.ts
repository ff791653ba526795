/** GitHub integration settings and the Octokit client built from them. */
import { Octokit } from '@octokit/rest';
import { z } from 'zod';
import type { IntegrationContext } from '../types';
import { installationToken } from './app-auth';

const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

export const GithubConfigSchema = z
  .object({
    /** Repositories ("owner/name") whose events start runs; a repository webhook is registered on each. */
    repositories: z.array(z.string().regex(REPO, 'repositories: each entry is "owner/name"')).max(50).optional(),
    /** An organization: one organization webhook instead of per-repository ones. */
    organization: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/, 'organization: a GitHub organization login')
      .optional(),
    /** The mention that starts a run in an issue or PR comment (case-insensitive). */
    mention: z
      .string()
      .regex(/^@[A-Za-z0-9_-]+(\[bot\])?$/, 'mention: an @handle such as "@ambit"')
      .default('@ambit'),
    /** Labels that start a run when added to an issue. */
    labels: z.array(z.string().min(1).max(100)).max(20).default([]),
    /** REST API root (GitHub Enterprise Server: https://<host>/api/v3). */
    api_url: z.url({ protocol: /^https?$/, error: 'api_url: an http(s) URL' }).default('https://api.github.com'),
    /** Where repositories are cloned and pushed: `<git_url>/<owner>/<name>.git`. */
    git_url: z.url({ protocol: /^https?$/, error: 'git_url: an http(s) URL' }).default('https://github.com'),
    /** GitHub App credentials (with the app_private_key secret) instead of a token. */
    app_id: z.number().int().positive().optional(),
    installation_id: z.number().int().positive().optional(),
    /** Register webhooks with GitHub on create (default); false when they are managed by hand. */
    register_webhook: z.boolean().default(true),
  })
  .refine((c) => (c.repositories?.length ?? 0) > 0 || c.organization !== undefined, {
    message: 'repositories or organization is required: which repositories may start runs',
    path: ['repositories'],
  })
  .refine((c) => (c.app_id === undefined) === (c.installation_id === undefined), {
    message: 'app_id and installation_id go together (GitHub App credentials)',
    path: ['installation_id'],
  });
export type GithubConfig = z.infer<typeof GithubConfigSchema>;

export function githubConfigOf(ctx: IntegrationContext): GithubConfig {
  return GithubConfigSchema.parse(ctx.integration.config);
}

/** The token GitHub calls are made with: the integration's token, or a GitHub App installation token. */
export async function githubToken(
  ctx: IntegrationContext,
  config: GithubConfig = githubConfigOf(ctx),
): Promise<string> {
  if (config.app_id !== undefined && config.installation_id !== undefined) {
    const privateKeyPem = await ctx.secret('app_private_key');
    if (!privateKeyPem) throw new Error('the GitHub integration has app_id but no app_private_key secret');
    return installationToken({
      apiUrl: config.api_url,
      appId: config.app_id,
      installationId: config.installation_id,
      privateKeyPem,
    });
  }
  const token = await ctx.secret('token');
  if (!token) throw new Error('the GitHub integration has neither a token secret nor GitHub App credentials');
  return token;
}

export async function githubClient(
  ctx: IntegrationContext,
  config: GithubConfig = githubConfigOf(ctx),
): Promise<Octokit> {
  return new Octokit({
    auth: await githubToken(ctx, config),
    baseUrl: config.api_url.replace(/\/$/, ''),
    userAgent: 'ambit',
    log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });
}

export function splitRepo(fullName: string): { owner: string; repo: string } {
  const [owner = '', repo = ''] = fullName.split('/');
  return { owner, repo };
}

/** Whether `fullName` is one of the integration's repositories (or in its organization). */
export function coversRepository(config: GithubConfig, fullName: string): boolean {
  const lower = fullName.toLowerCase();
  if (config.repositories?.some((r) => r.toLowerCase() === lower)) return true;
  return config.organization !== undefined && lower.startsWith(`${config.organization.toLowerCase()}/`);
}
