import type { IntegrationContext } from './types';

/** The value of the secret an adapter cannot work without; the error names the missing secret or role. */
export async function requiredSecret(ctx: IntegrationContext, role: string): Promise<string> {
  const value = await ctx.secret(role);
  if (!value) {
    const name = ctx.integration.secretRefs[role];
    throw new Error(
      name ? `the team secret ${name} (${role}) does not exist` : `the integration has no ${role} secret configured`,
    );
  }
  return value;
}
