import { McpServerSchema, type McpServer } from '../domain';
import { UsageError } from './errors';

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const FIX =
  'pass --mcp \'name={"command":"npx","args":["-y","@modelcontextprotocol/server-everything"]}\' ' +
  'or --mcp \'{"name":{"url":"https://mcp.example.com/mcp"}}\'';

/**
 * Turns repeated `--mcp` values into the `mcp_servers` map. Each value is `name=<server json>`, a JSON map of
 * name → server, or a `{"mcpServers": {...}}` document as other agent tools write them.
 */
export function parseMcpFlags(values: readonly string[]): Record<string, McpServer> | undefined {
  if (values.length === 0) return undefined;
  const servers: Record<string, McpServer> = {};
  for (const value of values) {
    for (const [name, raw] of entriesOf(value.trim())) {
      if (!NAME.test(name)) throw new UsageError(`--mcp server name "${name}" may use only letters, digits, _ and -`);
      if (name in servers) throw new UsageError(`--mcp server "${name}" is given twice; give each server once`);
      const parsed = McpServerSchema.safeParse(raw);
      if (!parsed.success) {
        throw new UsageError(
          `--mcp server "${name}": needs exactly one of {"command", "args"?, "env"?}, {"url", "headers"?} ` +
            `or {"warp_id"}; ${FIX}`,
        );
      }
      servers[name] = parsed.data;
    }
  }
  return servers;
}

function entriesOf(value: string): [string, unknown][] {
  const eq = value.indexOf('=');
  if (!value.startsWith('{') && eq > 0) return [[value.slice(0, eq).trim(), json(value.slice(eq + 1))]];
  const doc = json(value);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(`--mcp must be a JSON object or name=<json>; ${FIX}`);
  }
  const map = 'mcpServers' in doc ? doc.mcpServers : doc;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new UsageError(`--mcp "mcpServers" must be an object of name → server; ${FIX}`);
  }
  if ('command' in map || 'url' in map || 'warp_id' in map) {
    throw new UsageError(`--mcp got a single server without a name; give it one: --mcp 'name=${value}'`);
  }
  return Object.entries(map);
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--mcp value is not valid JSON (${text.slice(0, 60)}); ${FIX}`);
  }
}
