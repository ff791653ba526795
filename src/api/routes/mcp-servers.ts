/** MCP server objects: `/mcp-servers` CRUD; runs refer to them with `config.mcp_servers: {name: {ref}}`. */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { Router } from 'express';
import { CreateMcpServerRequestSchema, McpServerItemSchema, UpdateMcpServerRequestSchema } from '../../domain';
import type { ServiceDeps } from '../../services/deps';
import { MCP_SERVER_KIND } from '../../services/mcp-servers';
import { configObjectRoutes, registerConfigObjectPaths, type PathHelpers } from './team';

export function mcpServersRouter(deps: ServiceDeps): Router {
  return configObjectRoutes(deps, {
    base: '/mcp-servers',
    listKey: 'mcp_servers',
    kind: MCP_SERVER_KIND,
    createSchema: CreateMcpServerRequestSchema,
    updateSchema: UpdateMcpServerRequestSchema,
  });
}

export function registerMcpServerPaths(registry: OpenAPIRegistry, h: PathHelpers): void {
  registerConfigObjectPaths(registry, h, {
    base: '/mcp-servers',
    tag: 'mcp-servers',
    noun: 'MCP server',
    listKey: 'mcp_servers',
    operation: 'McpServer',
    item: McpServerItemSchema.meta({ id: 'McpServerItem' }),
    create: CreateMcpServerRequestSchema.meta({ id: 'CreateMcpServerRequest' }),
    update: UpdateMcpServerRequestSchema.meta({ id: 'UpdateMcpServerRequest' }),
  });
}
