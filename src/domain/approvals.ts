/**
 * Approval gates: which tool calls of a run wait for a human before they execute. Pure: the workflow decides with
 * it, the config schema validates with it.
 */
import { z } from 'zod';

/** The built-in tool whose `command` input `shell_patterns` are matched against. */
export const SHELL_TOOL_NAME = 'run_shell_command';

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern);
    return true;
  } catch {
    return false;
  }
}

export const ApprovalPolicySchema = z.strictObject({
  tools: z
    .array(
      z
        .string()
        .min(1)
        .max(200)
        .regex(/^[a-zA-Z0-9_*-]+$/, 'approvals.tools are tool names, with * as a wildcard, e.g. "mcp__github__*"'),
    )
    .max(100)
    .optional(),
  shell_patterns: z
    .array(
      z
        .string()
        .min(1)
        .max(1000)
        .refine(compiles, 'approvals.shell_patterns are JavaScript regular expressions, e.g. "^git push"'),
    )
    .max(100)
    .optional(),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicySchema>;

export interface ApprovalRequirement {
  required: boolean;
  /** Why the call waits, for the status message and the approval event. */
  reason?: string;
}

function globMatches(glob: string, name: string): boolean {
  const source = glob
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(name);
}

/** Whether a tool call needs a human's approval before it runs, under the run's policy (none: never). */
export function requiresApproval(
  policy: ApprovalPolicy | undefined,
  toolName: string,
  input: unknown,
): ApprovalRequirement {
  if (!policy) return { required: false };
  const tool = policy.tools?.find((glob) => globMatches(glob, toolName));
  if (tool !== undefined) return { required: true, reason: `tool ${toolName} matches approvals.tools "${tool}"` };
  if (toolName !== SHELL_TOOL_NAME) return { required: false };
  const command =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>)['command'] : undefined;
  if (typeof command !== 'string') return { required: false };
  for (const pattern of policy.shell_patterns ?? []) {
    // A pattern that no longer compiles fails closed: better a question than an unchecked command.
    if (!compiles(pattern) || new RegExp(pattern).test(command)) {
      return { required: true, reason: `command matches approvals.shell_patterns "${pattern}"` };
    }
  }
  return { required: false };
}

/** One line naming the pending action, for the run's status message. */
export function describePendingAction(toolName: string, input: unknown): string {
  const command =
    toolName === SHELL_TOOL_NAME && typeof input === 'object' && input !== null
      ? (input as Record<string, unknown>)['command']
      : undefined;
  const what = typeof command === 'string' ? `${toolName}: ${command}` : toolName;
  return what.length > 300 ? `${what.slice(0, 297)}...` : what;
}
