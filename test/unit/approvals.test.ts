import { AgentConfigSchema, describePendingAction, requiresApproval } from '../../src/domain';

describe('requiresApproval', () => {
  test('no policy: nothing waits', () => {
    expect(requiresApproval(undefined, 'run_shell_command', { command: 'git push' })).toEqual({ required: false });
  });

  test('tool names match exactly or by * glob, and the reason names the rule', () => {
    const policy = { tools: ['write_file', 'mcp__github__*'] };
    expect(requiresApproval(policy, 'write_file', { path: 'a' })).toEqual({
      required: true,
      reason: 'tool write_file matches approvals.tools "write_file"',
    });
    expect(requiresApproval(policy, 'mcp__github__create_pull_request', {}).required).toBe(true);
    expect(requiresApproval(policy, 'mcp__gitlab__create_merge_request', {}).required).toBe(false);
    expect(requiresApproval(policy, 'write_file_extra', {}).required).toBe(false);
    expect(requiresApproval(policy, 'read_file', {}).required).toBe(false);
  });

  test('glob characters other than * are literal', () => {
    expect(requiresApproval({ tools: ['a-b*'] }, 'a-bc', {}).required).toBe(true);
    expect(requiresApproval({ tools: ['a-b*'] }, 'axbc', {}).required).toBe(false);
  });

  test('shell patterns are regular expressions over run_shell_command commands only', () => {
    const policy = { shell_patterns: ['^git push', 'rm\\s+-rf'] };
    expect(requiresApproval(policy, 'run_shell_command', { command: 'git push origin main' })).toEqual({
      required: true,
      reason: 'command matches approvals.shell_patterns "^git push"',
    });
    expect(requiresApproval(policy, 'run_shell_command', { command: 'cd x && rm  -rf build' }).required).toBe(true);
    expect(requiresApproval(policy, 'run_shell_command', { command: 'echo git push' }).required).toBe(false);
    expect(requiresApproval(policy, 'write_file', { command: 'git push' }).required).toBe(false);
    expect(requiresApproval(policy, 'run_shell_command', { cmd: 'git push' }).required).toBe(false);
  });

  test('a pattern that does not compile fails closed', () => {
    expect(requiresApproval({ shell_patterns: ['('] }, 'run_shell_command', { command: 'ls' }).required).toBe(true);
  });
});

describe('config.approvals', () => {
  test('accepts tool globs and regular expressions', () => {
    const parsed = AgentConfigSchema.parse({ approvals: { tools: ['mcp__github__*'], shell_patterns: ['^git push'] } });
    expect(parsed.approvals).toEqual({ tools: ['mcp__github__*'], shell_patterns: ['^git push'] });
  });

  test('rejects a pattern that is not a regular expression, and unknown keys, naming the field', () => {
    const bad = AgentConfigSchema.safeParse({ approvals: { shell_patterns: ['(unclosed'] } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['approvals', 'shell_patterns', 0]);
    expect(bad.error?.issues[0]?.message).toContain('regular expressions');
    expect(AgentConfigSchema.safeParse({ approvals: { commands: ['x'] } }).success).toBe(false);
    expect(AgentConfigSchema.safeParse({ approvals: { tools: ['bad name'] } }).success).toBe(false);
  });
});

describe('describePendingAction', () => {
  test('names the shell command, or the tool', () => {
    expect(describePendingAction('run_shell_command', { command: 'git push' })).toBe('run_shell_command: git push');
    expect(describePendingAction('write_file', { path: 'a' })).toBe('write_file');
    expect(describePendingAction('run_shell_command', { command: 'x'.repeat(400) })).toHaveLength(300);
  });
});
