import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ConfigValue, McpServer } from '../../src/domain/agent-config';
import type { EnvironmentHandle, EnvironmentProvider } from '../environment/provider';
import type { ToolDefinition, ToolOutcome } from './types';

const CLIENT_INFO = { name: 'ambit', version: '0.1.0' };
const MCP_TOOL_SEPARATOR = '__';

/** Model-facing tool names must match ^[a-zA-Z0-9_-]{1,64}$ at most providers. */
export function mcpToolName(server: string, tool: string): string {
  return `mcp${MCP_TOOL_SEPARATOR}${server}${MCP_TOOL_SEPARATOR}${tool}`.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
}

export class McpConfigError extends Error {
  override readonly name = 'McpConfigError';
}

/** The run's secrets on this host, by name (opened from the sealed secrets the host activity received). */
export type RunSecretValues = Readonly<Record<string, string>>;

/**
 * Env or header values with `{"secret": NAME}` references replaced by the run's secret of that name. Resolved here,
 * where the server starts, and nowhere else: the stored objects and the run's config keep the reference.
 */
function resolveValues(
  values: Record<string, ConfigValue> | undefined,
  what: string,
  secrets: RunSecretValues | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values ?? {})) {
    if (typeof v === 'string') {
      out[k] = v;
      continue;
    }
    const value = secrets?.[v.secret];
    if (value === undefined) {
      throw new McpConfigError(
        `${what} ${k} refers to secret ${v.secret}, which is not among the run's secrets (the team's and its ` +
          "creator's personal ones); create it with POST /api/v1/secrets",
      );
    }
    out[k] = value;
  }
  return out;
}

function transportFor(
  server: McpServer,
  provider: EnvironmentProvider,
  handle: EnvironmentHandle,
  secrets: RunSecretValues | undefined,
): Transport {
  if ('command' in server) {
    return provider.mcpStdioTransport(handle, { ...server, env: resolveValues(server.env, 'env', secrets) });
  }
  if ('url' in server) {
    return new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: resolveValues(server.headers, 'header', secrets) },
    });
  }
  if ('ref' in server) {
    throw new McpConfigError(`MCP server object ${server.ref} was not expanded when the run's config was resolved`);
  }
  throw new McpConfigError(
    'MCP servers registered by warp_id are not available on a self-hosted platform; use {command} or {url}',
  );
}

/** Connects to one MCP server for the duration of `fn`. Stdio servers are started inside the run's environment. */
export async function withMcpClient<T>(
  server: McpServer,
  provider: EnvironmentProvider,
  handle: EnvironmentHandle,
  fn: (client: Client) => Promise<T>,
  secrets?: RunSecretValues,
): Promise<T> {
  const client = new Client(CLIENT_INFO);
  await client.connect(transportFor(server, provider, handle, secrets));
  try {
    return await fn(client);
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function listMcpTools(
  servers: Record<string, McpServer>,
  provider: EnvironmentProvider,
  handle: EnvironmentHandle,
  secrets?: RunSecretValues,
): Promise<ToolDefinition[]> {
  const out: ToolDefinition[] = [];
  for (const [serverName, server] of Object.entries(servers)) {
    let tools;
    try {
      tools = await withMcpClient(server, provider, handle, async (c) => (await c.listTools()).tools, secrets);
    } catch (err) {
      if (err instanceof McpConfigError) throw err;
      throw new McpConfigError(`MCP server "${serverName}" could not be started or listed: ${(err as Error).message}`);
    }
    for (const t of tools) {
      out.push({
        name: mcpToolName(serverName, t.name),
        description: t.description ?? `${t.name} (MCP server ${serverName})`,
        category: 'integration',
        inputSchema: t.inputSchema,
        source: { kind: 'mcp', server: serverName, tool: t.name },
      });
    }
  }
  return out;
}

export async function callMcpTool(
  server: McpServer,
  toolName: string,
  input: unknown,
  provider: EnvironmentProvider,
  handle: EnvironmentHandle,
  secrets?: RunSecretValues,
): Promise<ToolOutcome> {
  const result = await withMcpClient(
    server,
    provider,
    handle,
    (c) => c.callTool({ name: toolName, arguments: (input ?? {}) as Record<string, unknown> }),
    secrets,
  );
  const content = Array.isArray(result.content) ? result.content : [];
  const text = content
    .map((c: { type: string; text?: string }) => (c.type === 'text' ? (c.text ?? '') : `[${c.type}]`))
    .join('\n');
  return {
    state: result.isError ? 'failed' : 'completed',
    output: { content: text, ...(result.structuredContent ? { structured: result.structuredContent } : {}) },
  };
}
