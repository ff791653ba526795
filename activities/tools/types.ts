import type { ActionCategory } from '../../src/domain/run';

/** A tool offered to the model, stored on the run so every model call and tool call sees the same set. */
export interface ToolDefinition {
  name: string;
  description: string;
  category: ActionCategory;
  /** JSON Schema of the tool's input. */
  inputSchema: Record<string, unknown>;
  /** Built-in, or the MCP server (by name in the run's config) that serves it. */
  source: { kind: 'builtin' } | { kind: 'mcp'; server: string; tool: string };
}

export interface ToolOutcome {
  state: 'completed' | 'failed';
  output: Record<string, unknown>;
}
