/**
 * MCP server objects over real HTTP: stdio and URL specs with secret references kept as references, validation,
 * scopes, and runs that refer to them by name (an unknown name is a 400 before any run exists).
 */
import type { McpServerItem, Problem } from '../../src/domain';
import { createTeam, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  expect(res.status).toBe(status);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  return body;
}

describe('MCP servers API', () => {
  let h: Harness;
  let team: TeamKeys;
  let other: TeamKeys;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'mcp');
    other = await createTeam(h.db, 'mcp-other');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('stdio and URL servers are stored with secret references as references', async () => {
    const stdio = await h.request<McpServerItem>('POST', '/api/v1/mcp-servers', {
      key: team.admin,
      body: {
        name: 'github',
        spec: { command: 'npx', args: ['-y', 'gh-mcp'], env: { GITHUB_TOKEN: { secret: 'GITHUB_TOKEN' }, MODE: 'ro' } },
      },
    });
    expect(stdio.status).toBe(201);
    expect(stdio.body.spec).toEqual({
      command: 'npx',
      args: ['-y', 'gh-mcp'],
      env: { GITHUB_TOKEN: { secret: 'GITHUB_TOKEN' }, MODE: 'ro' },
    });
    const url = await h.request<McpServerItem>('POST', '/api/v1/mcp-servers', {
      key: team.admin,
      body: {
        name: 'docs',
        spec: { url: 'https://mcp.example.com/mcp', headers: { Authorization: { secret: 'DOCS' } } },
      },
    });
    expect(url.status).toBe(201);
    const list = await h.request<{ mcp_servers: McpServerItem[] }>('GET', '/api/v1/mcp-servers', { key: team.viewer });
    expect(list.body.mcp_servers.map((s) => s.name)).toEqual(['docs', 'github']);
    const changed = await h.request<McpServerItem>('PATCH', `/api/v1/mcp-servers/${url.body.id}`, {
      key: team.admin,
      body: { spec: { url: 'https://mcp.example.com/v2' } },
    });
    expect(changed.body.spec).toEqual({ url: 'https://mcp.example.com/v2' });
    expectProblem(
      await h.request('GET', `/api/v1/mcp-servers/${url.body.id}`, { key: other.admin }),
      404,
      'resource_not_found',
    );
  });

  test('a spec that is neither stdio nor URL, and a secret reference with a bad name, are 400s naming the field', async () => {
    const neither = expectProblem(
      await h.request('POST', '/api/v1/mcp-servers', { key: team.admin, body: { name: 'x', spec: { cmd: 'a' } } }),
      400,
      'invalid_request',
    );
    expect(neither.detail).toMatch(/^spec: spec is \{command, args\?, env\?\} \(stdio\) or \{url, headers\?\}/);
    const badSecret = expectProblem(
      await h.request('POST', '/api/v1/mcp-servers', {
        key: team.admin,
        body: { name: 'y', spec: { command: 'a', env: { T: { secret: 'not a name' } } } },
      }),
      400,
      'invalid_request',
    );
    expect(badSecret.detail).toMatch(/^spec/);
  });

  test('runs refer to servers by name; an unknown name is a 400 and creates no run', async () => {
    const ok = await h.request<{ run_id: string }>('POST', '/api/v1/agent/runs', {
      key: team.member,
      body: { prompt: 'use github', config: { mcp_servers: { gh: { ref: 'github' } } } },
    });
    expect(ok.status).toBe(200);
    const before = await h.db.run.count({ where: { teamId: team.teamId } });
    const bad = expectProblem(
      await h.request('POST', '/api/v1/agent/runs', {
        key: team.member,
        body: { prompt: 'x', config: { mcp_servers: { gh: { ref: 'gitlab' } } } },
      }),
      400,
      'invalid_request',
    );
    expect(bad.detail).toMatch(/^config\.mcp_servers\.gh\.ref: no MCP server named "gitlab"/);
    // Another team's object is not usable either.
    expectProblem(
      await h.request('POST', '/api/v1/agent/runs', {
        key: other.admin,
        body: { prompt: 'x', config: { mcp_servers: { gh: { ref: 'github' } } } },
      }),
      400,
      'invalid_request',
    );
    expect(await h.db.run.count({ where: { teamId: team.teamId } })).toBe(before);
  });
});
