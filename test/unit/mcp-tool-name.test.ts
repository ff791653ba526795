import { mcpToolName } from '../../activities/tools/mcp';

const PROVIDER_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

describe('mcpToolName (the name the model sees for an MCP tool)', () => {
  test('prefixes the server so tools of different servers never clash', () => {
    expect(mcpToolName('github', 'create_issue')).toBe('mcp__github__create_issue');
    expect(mcpToolName('everything', 'get-sum')).toBe('mcp__everything__get-sum');
    expect(mcpToolName('a', 'read')).not.toBe(mcpToolName('b', 'read'));
  });

  test('replaces every character providers refuse with "_"', () => {
    expect(mcpToolName('my.server', 'files/read all')).toBe('mcp__my_server__files_read_all');
    expect(mcpToolName('café', 'naïve:tool')).toBe('mcp__caf___na_ve_tool');
  });

  test('caps the name at 64 characters', () => {
    const name = mcpToolName('a-very-long-server-name-for-testing', 'and_an_even_longer_tool_name_that_goes_on_and_on');
    expect(name).toHaveLength(64);
    expect(name.startsWith('mcp__a-very-long-server-name-for-testing__and_an')).toBe(true);
  });

  test.each([
    ['srv', 'tool'],
    ['weird server!', 'tool with spaces & symbols ✓'],
    ['x'.repeat(80), 'y'.repeat(80)],
  ])('always yields a name providers accept (%s / %s)', (server, tool) => {
    expect(mcpToolName(server, tool)).toMatch(PROVIDER_TOOL_NAME);
  });
});
