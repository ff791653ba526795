/**
 * MCP server objects: a stdio command or a URL, referenced by name from runs (`config.mcp_servers: {x: {ref}}`),
 * schedules and integrations. Env and header values may be `{"secret": NAME}`: stored as the reference, resolved
 * only where the server is started.
 */
import {
  McpServerSpecSchema,
  type CreateMcpServerRequest,
  type McpServerItem,
  type McpServerSpec,
  type UpdateMcpServerRequest,
} from '../../domain';
import type { McpServer } from '../../generated/prisma/client';
import { scopeItemOf } from '../team/config-access';
import type { ConfigKind } from '../team/config-object-store';

function storedSpec(json: unknown): McpServerSpec {
  const parsed = McpServerSpecSchema.safeParse(json);
  // Rows are written only through validated requests; an unreadable one shows as an empty command.
  return parsed.success ? parsed.data : { command: '' };
}

export function toMcpServerItem(row: McpServer): McpServerItem {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    spec: storedSpec(row.spec),
    scope: scopeItemOf(row),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export const MCP_SERVER_KIND: ConfigKind<McpServer, McpServerItem, CreateMcpServerRequest, UpdateMcpServerRequest> = {
  plural: 'MCP servers',
  singular: 'MCP server',
  idPrefix: 'mcp',
  auditType: 'mcp_server',
  table: (db) => db.mcpServer,
  toItem: toMcpServerItem,
  createColumns: (r) => ({ spec: r.spec, description: r.description ?? null }),
  updateColumns: (r) => ({
    ...(r.spec !== undefined ? { spec: r.spec } : {}),
    ...(r.description !== undefined ? { description: r.description } : {}),
  }),
};
