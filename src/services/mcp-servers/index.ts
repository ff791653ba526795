export * from './mcp-server-kind';
