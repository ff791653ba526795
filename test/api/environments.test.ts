/**
 * Environments over real HTTP, on a real database of each kind and the real Temporal dev server: CRUD, validation,
 * names unique per scope, team and personal visibility, viewers, deletion guarded by runs, the Oz-compatible
 * listing, and runs that name an environment.
 */
import { z } from 'zod';
import {
  CloudEnvironmentSchema,
  EnvironmentItemSchema,
  normalizeGitUrl,
  parseImageReference,
  type EnvironmentItem,
  type ListAgentEnvironmentsResponse,
  type ListEnvironmentsResponse,
  type ListRunsResponse,
  type Problem,
  type RunAgentResponse,
} from '../../src/domain';
import { AmbitClient, ConflictError } from '../../src/client';
import { DB_KINDS } from '../helpers/database';
import { createTeam, insertRun, startHarness, type ApiResponse, type Harness, type TeamKeys } from './helpers';

const StrictEnvironmentItem = z.strictObject(EnvironmentItemSchema.shape);
const StrictCloudEnvironment = z.strictObject({
  ...CloudEnvironmentSchema.shape,
  config: z.strictObject(CloudEnvironmentSchema.shape.config.shape),
});

function expectProblem(res: ApiResponse, status: number, code: string): Problem {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = res.body as Problem;
  expect(body.type.endsWith(`/${code}`)).toBe(true);
  expect(body.error).toBe(`${body.title} (${body.detail})`);
  return body;
}

describe('image references and git URLs', () => {
  it.each([
    'ubuntu',
    'ubuntu:24.04',
    'library/ubuntu:latest',
    'node:22-bookworm',
    'ghcr.io/acme/builder:1.4',
    'localhost:5000/team/tool',
    'registry.example.com:5000/a/b/c:v1_2.3',
    '[::1]:5000/img',
    'a__b/c-d--e.f',
    `alpine@sha256:${'a'.repeat(64)}`,
    `ghcr.io/acme/builder:1.4@sha256:${'0123456789abcdef'.repeat(4)}`,
  ])('accepts %s', (ref) => {
    expect(parseImageReference(ref)).toMatchObject({ ok: true });
  });

  it.each([
    ['', 'must not be empty'],
    ['   ', 'must not be empty'],
    ['ubuntu 24.04', 'must not contain spaces'],
    ['Ubuntu:24.04', 'repository names must be lowercase: write "ubuntu" instead of "Ubuntu"'],
    ['ghcr.io/Acme/builder', 'write "acme" instead of "Acme"'],
    ['Acme/builder', 'write "acme" instead of "Acme"'],
    ['alpine@sha256:abc', 'write @sha256: followed by 64 lowercase hex characters'],
    [`alpine@sha256:${'A'.repeat(64)}`, 'digest'],
    ['alpine:-x', 'tag "-x" is invalid'],
    [`alpine:${'t'.repeat(129)}`, 'tag'],
    ['foo//bar', 'empty path component'],
    ['foo/', 'empty path component'],
    ['a___b', 'path component "a___b"'],
    ['-ubuntu', 'path component "-ubuntu"'],
    ['bad_host.example.com/x', 'registry "bad_host.example.com"'],
    [':latest', 'has no repository name'],
    [`${'a'.repeat(256)}`, 'at most 255'],
  ])('rejects %j, saying %s', (ref, reason) => {
    const parsed = parseImageReference(ref);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });

  it.each([
    ['acme/api', 'https://github.com/acme/api.git'],
    ['acme/api.git', 'https://github.com/acme/api.git'],
    ['  acme/api  ', 'https://github.com/acme/api.git'],
    ['https://gitlab.com/group/sub/repo.git', 'https://gitlab.com/group/sub/repo.git'],
    ['ssh://git@git.example.com:2222/team/repo.git', 'ssh://git@git.example.com:2222/team/repo.git'],
    ['git@github.com:acme/web.git', 'git@github.com:acme/web.git'],
    ['git://git.example.com/repo', 'git://git.example.com/repo'],
    ['file:///srv/git/repo', 'file:///srv/git/repo'],
  ])('normalizes the repository %j to %s', (input, url) => {
    expect(normalizeGitUrl(input)).toEqual({ ok: true, value: url });
  });

  it.each([
    ['https://user:token@github.com/acme/api.git', 'must not embed credentials'],
    ['https://token@github.com/acme/api.git', 'must not embed credentials'],
    ['ssh://git:pw@host/x', 'must not embed credentials'],
    ['acme', 'is not a repository'],
    ['acme/api/extra', 'is not a repository'],
    ['ftp://host/repo', 'is not a repository'],
    ['file://relative/path', 'is not a repository'],
    ['https://github.com/acme/my repo', 'must not contain spaces'],
    ['', 'must not be empty'],
  ])('rejects the repository %j, saying %s', (input, reason) => {
    const parsed = normalizeGitUrl(input);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.reason).toContain(reason);
  });
});

describe.each(DB_KINDS)('environments API on %s', (kind) => {
  let h: Harness;
  let a: TeamKeys;
  let b: TeamKeys;
  let seq = 0;

  beforeAll(async () => {
    h = await startHarness(kind);
    a = await createTeam(h.db, 'a');
    b = await createTeam(h.db, 'b');
  });
  afterAll(async () => {
    await h?.close();
  });

  const uniqueName = (label: string) => `${label}-${++seq}`;
  const create = (key: string, body: unknown) =>
    h.request<EnvironmentItem>('POST', '/api/v1/environments', { key, body });
  const get = (key: string, id: string) => h.request<EnvironmentItem>('GET', `/api/v1/environments/${id}`, { key });
  const newEnvironment = async (key: string, body: Record<string, unknown> = {}): Promise<EnvironmentItem> => {
    const res = await create(key, { name: uniqueName('env'), docker_image: 'ubuntu:24.04', ...body });
    expect(res.status).toBe(201);
    return res.body;
  };

  describe('create and get', () => {
    it('creates a team environment (201, Location) with repositories normalized and commands in order', async () => {
      const res = await create(a.admin, {
        name: 'api-build',
        description: 'Node 22 with the API checked out',
        docker_image: 'node:22-bookworm',
        repositories: [
          'acme/api',
          'git@gitlab.com:acme/shared.git',
          { url: 'https://git.example.com/tools.git', ref: 'v1.2.0' },
          { url: 'file:///srv/git/fixtures' },
        ],
        setup_commands: ['npm ci', 'npm run build', 'npm test -- --listTests'],
        env: { NODE_ENV: 'test', _PRIVATE_FLAG: '1' },
      });

      expect(res.status).toBe(201);
      const item = StrictEnvironmentItem.parse(res.body);
      expect(item.id).toMatch(/^env_[0-9a-f]{24}$/);
      expect(res.headers.get('location')).toBe(`/api/v1/environments/${item.id}`);
      expect(item).toEqual({
        id: item.id,
        name: 'api-build',
        description: 'Node 22 with the API checked out',
        docker_image: 'node:22-bookworm',
        repositories: [
          { url: 'https://github.com/acme/api.git' },
          { url: 'git@gitlab.com:acme/shared.git' },
          { url: 'https://git.example.com/tools.git', ref: 'v1.2.0' },
          { url: 'file:///srv/git/fixtures' },
        ],
        setup_commands: ['npm ci', 'npm run build', 'npm test -- --listTests'],
        env: { NODE_ENV: 'test', _PRIVATE_FLAG: '1' },
        scope: { type: 'Team', uid: a.teamId },
        setup_failed: false,
        creator: { type: 'user', uid: a.users.admin, display_name: 'admin of a' },
        created_at: item.created_at,
        updated_at: item.updated_at,
      });
      const row = await h.db.environment.findUniqueOrThrow({ where: { id: item.id } });
      expect(row).toMatchObject({
        teamId: a.teamId,
        scope: 'Team',
        ownerUserId: null,
        ownerKey: '',
        createdByUserId: a.users.admin,
        setupCommands: ['npm ci', 'npm run build', 'npm test -- --listTests'],
      });

      const fetched = await get(a.viewer, item.id);
      expect(fetched.status).toBe(200);
      expect(fetched.body).toEqual(item);
    });

    it('defaults the optional fields to empty', async () => {
      const res = await create(a.team, { name: uniqueName('bare'), docker_image: 'alpine' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ repositories: [], setup_commands: [], env: {}, setup_failed: false });
      expect(res.body).not.toHaveProperty('description');
      // A team key has no user: no creator to report.
      expect(res.body).not.toHaveProperty('creator');
    });

    it('answers 404 for unknown ids and for another team’s environment', async () => {
      const theirs = await newEnvironment(b.admin);
      expectProblem(await get(a.admin, theirs.id), 404, 'resource_not_found');
      expectProblem(await get(a.admin, 'env_000000000000000000000000'), 404, 'resource_not_found');
      for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
        const res = await h.request(method, `/api/v1/environments/${theirs.id}`, {
          key: a.admin,
          body: method === 'DELETE' ? undefined : { name: 'mine-now', docker_image: 'alpine' },
        });
        expectProblem(res, 404, 'resource_not_found');
      }
      expect((await get(b.admin, theirs.id)).body.name).toBe(theirs.name);
    });

    it('names every invalid field, and the fix, in a 400', async () => {
      const res = await create(a.admin, {
        name: '  padded',
        description: 'd'.repeat(241),
        docker_image: 'Ubuntu:24.04',
        repositories: ['https://user:token@github.com/acme/api.git', { url: 'acme/api', ref: 'bad..ref' }, 5],
        setup_commands: ['npm ci', '   '],
        env: { '1BAD': 'x', OK: 1 },
        scope: 'Org',
      });
      const problem = expectProblem(res, 400, 'invalid_request');
      expect(problem.retryable).toBe(false);
      for (const fragment of [
        'name: name must not start or end with spaces',
        'description: description is at most 240 characters',
        'docker_image: repository names must be lowercase: write "ubuntu" instead of "Ubuntu"',
        'repositories.0: must not embed credentials; store the token as a secret',
        'repositories.1.ref: ref must be a branch, tag or commit',
        'repositories.2: each repository is "owner/repo", a git URL, or {"url": ..., "ref"?: ...}',
        'setup_commands.1: setup commands must not be empty',
        'env.1BAD: env names must match [A-Za-z_][A-Za-z0-9_]*',
        'env.OK: env values must be strings',
        'scope: scope must be "Team" (shared with the team) or "User" (personal)',
      ]) {
        expect(problem.detail).toContain(fragment);
      }

      for (const [body, fragment] of [
        [{ docker_image: 'alpine' }, 'name: name must be a string'],
        [{ name: 'x' }, 'docker_image: docker_image must be a string'],
        [{ name: 'x', docker_image: '' }, 'docker_image: must not be empty'],
        [{ name: 'x', docker_image: 'node 22' }, 'docker_image: must not contain spaces'],
        [{ name: 'x', docker_image: 'alpine@sha256:1234' }, 'docker_image: digest "sha256:1234" is malformed'],
        [{ name: 'env_0123456789abcdef01234567', docker_image: 'alpine' }, 'name: name must not look like an'],
      ] as const) {
        expect(expectProblem(await create(a.admin, body), 400, 'invalid_request').detail).toContain(fragment);
      }
      expect(await h.db.environment.count({ where: { teamId: a.teamId, name: { in: ['x', '  padded'] } } })).toBe(0);
    });

    it('accepts a description of exactly 240 characters and an image with registry, port, tag and digest', async () => {
      const image = `registry.example.com:5000/team/builder:1.4@sha256:${'ab'.repeat(32)}`;
      const res = await create(a.admin, {
        name: uniqueName('max'),
        description: 'd'.repeat(240),
        docker_image: image,
      });
      expect(res.status).toBe(201);
      expect(res.body.docker_image).toBe(image);
    });

    it('answers 400 for a body that is not a JSON object', async () => {
      const res = await h.request('POST', '/api/v1/environments', { key: a.admin, rawBody: '[1]' });
      expect(expectProblem(res, 400, 'invalid_request').detail).toContain('body:');
    });
  });

  describe('names unique per scope', () => {
    it('answers 409 conflict, not retryable, naming the environment that has the name', async () => {
      const first = await newEnvironment(a.admin, { name: 'shared-name' });
      const res = await create(a.team, { name: 'shared-name', docker_image: 'alpine' });
      const problem = expectProblem(res, 409, 'conflict');
      expect(problem.retryable).toBe(false);
      expect(res.headers.get('x-should-retry')).toBe('false');
      expect(problem.detail).toBe(
        `name: an environment named "shared-name" already exists among the team's environments (${first.id}); ` +
          'choose another name, or update that environment',
      );
    });

    it('is not retried by the client (x-should-retry: false), which throws a ConflictError at once', async () => {
      const taken = await newEnvironment(a.admin);
      let attempts = 0;
      const client = new AmbitClient({
        baseUrl: h.url,
        apiKey: a.admin,
        maxRetries: 2,
        fetch: (input, init) => {
          attempts += 1;
          return fetch(input, init);
        },
      });
      const error = await client.environments.create({ name: taken.name, docker_image: 'alpine' }).catch((e) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).detail).toContain(`(${taken.id})`);
      expect(attempts).toBe(1);
    });

    it('lets the same name exist once per scope: the team, each user, each other team', async () => {
      const name = uniqueName('same');
      await newEnvironment(a.admin, { name });
      const mine = await newEnvironment(a.member, { name, scope: 'User' });
      const theirs = await newEnvironment(a.otherMember, { name, scope: 'User' });
      await newEnvironment(b.admin, { name });
      expect(mine.scope).toEqual({ type: 'User', uid: a.users.member });
      expect(theirs.scope).toEqual({ type: 'User', uid: a.users.otherMember });

      const again = await create(a.member, { name, docker_image: 'alpine', scope: 'User' });
      expect(expectProblem(again, 409, 'conflict').detail).toContain(
        `already exists among the personal environments of its owner (${mine.id})`,
      );
    });

    it('refuses a rename (PUT or PATCH) onto a taken name', async () => {
      const taken = await newEnvironment(a.admin);
      const other = await newEnvironment(a.admin);
      const patch = await h.request('PATCH', `/api/v1/environments/${other.id}`, {
        key: a.admin,
        body: { name: taken.name },
      });
      expect(expectProblem(patch, 409, 'conflict').detail).toContain(`(${taken.id})`);
      const put = await h.request('PUT', `/api/v1/environments/${other.id}`, {
        key: a.admin,
        body: { name: taken.name, docker_image: 'alpine' },
      });
      expectProblem(put, 409, 'conflict');
      expect((await get(a.admin, other.id)).body.name).toBe(other.name);
    });
  });

  describe('who may see and change what', () => {
    it('shows a personal environment to its owner and the team admins only', async () => {
      const personal = await newEnvironment(a.member, { scope: 'User' });
      expect((await get(a.member, personal.id)).status).toBe(200);
      expect((await get(a.admin, personal.id)).status).toBe(200);
      expect((await get(a.team, personal.id)).status).toBe(200);
      expectProblem(await get(a.otherMember, personal.id), 404, 'resource_not_found');
      expectProblem(await get(a.viewer, personal.id), 404, 'resource_not_found');

      const listed = async (key: string) =>
        (await h.request<ListEnvironmentsResponse>('GET', `/api/v1/environments?name=${personal.name}`, { key })).body
          .environments;
      expect((await listed(a.member)).map((e) => e.id)).toEqual([personal.id]);
      expect((await listed(a.admin)).map((e) => e.id)).toEqual([personal.id]);
      expect(await listed(a.otherMember)).toEqual([]);

      const patch = await h.request('PATCH', `/api/v1/environments/${personal.id}`, {
        key: a.otherMember,
        body: { description: 'not mine' },
      });
      expectProblem(patch, 404, 'resource_not_found');
      const byAdmin = await h.request<EnvironmentItem>('PATCH', `/api/v1/environments/${personal.id}`, {
        key: a.admin,
        body: { description: 'tidied by an admin' },
      });
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body.scope).toEqual({ type: 'User', uid: a.users.member });
      // The owner changes and deletes their own personal environment with a member key.
      const byOwner = await h.request<EnvironmentItem>('PATCH', `/api/v1/environments/${personal.id}`, {
        key: a.member,
        body: { description: 'mine again' },
      });
      expect(byOwner.status).toBe(200);
      expect((await h.request('DELETE', `/api/v1/environments/${personal.id}`, { key: a.member })).status).toBe(200);
    });

    it('leaves team environments to admins: members get 403 on create, change and delete', async () => {
      const refused = await create(a.member, { name: uniqueName('m'), docker_image: 'alpine' });
      expect(expectProblem(refused, 403, 'not_authorized').detail).toBe(
        'members may not create team environments (a personal one, scope "User", is yours to manage); ' +
          'use an admin API key (or a team key)',
      );
      const env = await newEnvironment(a.admin);
      for (const [method, body] of [
        ['PUT', { name: 'x', docker_image: 'alpine' }],
        ['PATCH', { description: 'x' }],
        ['DELETE', undefined],
      ] as const) {
        const res = await h.request(method, `/api/v1/environments/${env.id}`, { key: a.member, body });
        expectProblem(res, 403, 'not_authorized');
      }
      expect((await get(a.member, env.id)).body).toEqual(env);
      // An invisible environment answers 404 before any role check: a viewer learns nothing about ids.
      const theirs = await newEnvironment(b.admin);
      expectProblem(
        await h.request('DELETE', `/api/v1/environments/${theirs.id}`, { key: a.viewer }),
        404,
        'resource_not_found',
      );
    });

    it('needs a user key for a personal environment', async () => {
      const res = await create(a.team, { name: uniqueName('p'), docker_image: 'alpine', scope: 'User' });
      expect(expectProblem(res, 400, 'invalid_request').detail).toContain('needs a user API key');
    });

    it('lets viewers read but not write (403)', async () => {
      const env = await newEnvironment(a.admin);
      expect((await get(a.viewer, env.id)).status).toBe(200);
      expectProblem(await create(a.viewer, { name: uniqueName('v'), docker_image: 'alpine' }), 403, 'not_authorized');
      for (const [method, body] of [
        ['PUT', { name: 'x', docker_image: 'alpine' }],
        ['PATCH', { description: 'x' }],
        ['DELETE', undefined],
      ] as const) {
        const res = await h.request(method, `/api/v1/environments/${env.id}`, { key: a.viewer, body });
        expect(expectProblem(res, 403, 'not_authorized').detail).toContain('viewers may read environments');
      }
      expect((await get(a.admin, env.id)).body).toEqual(env);
    });

    it('answers 401 without a key on every environment route', async () => {
      for (const [method, route] of [
        ['POST', '/api/v1/environments'],
        ['GET', '/api/v1/environments'],
        ['GET', '/api/v1/environments/env_x'],
        ['PUT', '/api/v1/environments/env_x'],
        ['PATCH', '/api/v1/environments/env_x'],
        ['DELETE', '/api/v1/environments/env_x'],
        ['GET', '/api/v1/agent/environments'],
      ] as const) {
        expectProblem(await h.request(method, route), 401, 'authentication_required');
      }
    });
  });

  describe('list', () => {
    let team: TeamKeys;
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      team = await createTeam(h.db, 'list');
      for (const name of names) ids[name] = (await newEnvironment(team.admin, { name })).id;
      ids['mine'] = (await newEnvironment(team.member, { name: 'mine', scope: 'User' })).id;
      // Distinct update times, in creation order, so the default order is deterministic.
      let at = Date.UTC(2026, 0, 1);
      for (const name of [...names, 'mine']) {
        await h.db.environment.update({ where: { id: ids[name] }, data: { updatedAt: new Date((at += 60_000)) } });
      }
    });

    const list = (query: string, key = team.admin) =>
      h.request<ListEnvironmentsResponse>('GET', `/api/v1/environments${query}`, { key });

    it('lists the visible environments, most recently updated first', async () => {
      const res = await list('');
      expect(res.status).toBe(200);
      expect(res.body.environments.map((e) => e.name)).toEqual(['mine', 'bravo', 'charlie', 'echo', 'alpha', 'delta']);
      for (const e of res.body.environments) StrictEnvironmentItem.parse(e);
      expect(res.body.page_info).toEqual({ has_next_page: false });
      expect((await list('', team.otherMember)).body.environments.map((e) => e.name)).not.toContain('mine');
    });

    it('pages with cursors in either sort, ending with has_next_page false', async () => {
      for (const [query, expected] of [
        ['?limit=2', ['mine', 'bravo', 'charlie', 'echo', 'alpha', 'delta']],
        ['?limit=2&sort_by=name', ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'mine']],
        ['?limit=4&sort_by=name&sort_order=desc', ['mine', 'echo', 'delta', 'charlie', 'bravo', 'alpha']],
        ['?limit=2&sort_by=updated_at&sort_order=asc', ['delta', 'alpha', 'echo', 'charlie', 'bravo', 'mine']],
      ] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 10; page++) {
          const res = await list(`${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          expect(res.status).toBe(200);
          seen.push(...res.body.environments.map((e) => e.name));
          if (!res.body.page_info.has_next_page) break;
          cursor = res.body.page_info.next_cursor;
          expect(cursor).toBeDefined();
        }
        expect(seen).toEqual(expected);
      }
    });

    it('filters by exact name and by scope', async () => {
      expect((await list('?name=charlie')).body.environments.map((e) => e.id)).toEqual([ids['charlie']]);
      expect((await list('?name=charl')).body.environments).toEqual([]);
      expect((await list('?scope=User')).body.environments.map((e) => e.id)).toEqual([ids['mine']]);
      expect((await list('?scope=Team&sort_by=name')).body.environments.map((e) => e.name)).toEqual([
        'alpha',
        'bravo',
        'charlie',
        'delta',
        'echo',
      ]);
    });

    it('answers 400 for bad parameters, a foreign cursor and a repeated parameter', async () => {
      expect(expectProblem(await list('?limit=0'), 400, 'invalid_request').detail).toContain('limit:');
      expect(expectProblem(await list('?scope=Org'), 400, 'invalid_request').detail).toContain('scope:');
      expect(expectProblem(await list('?sort_by=size'), 400, 'invalid_request').detail).toContain(
        'sort_by: must be one of updated_at, name',
      );
      expect(expectProblem(await list('?cursor=garbage'), 400, 'invalid_request').detail).toContain('cursor:');
      const first = await list('?limit=1');
      const foreign = await list(`?limit=1&sort_by=name&cursor=${first.body.page_info.next_cursor}`);
      expect(expectProblem(foreign, 400, 'invalid_request').detail).toContain('it belongs to sort_by=updated_at');
      expect(expectProblem(await list('?name=a&name=b'), 400, 'invalid_request').detail).toBe(
        'name: given 2 times; send it once',
      );
    });
  });

  describe('PUT and PATCH', () => {
    it('PUT replaces the whole environment: fields left out are cleared', async () => {
      const env = await newEnvironment(a.admin, {
        description: 'before',
        repositories: ['acme/api'],
        setup_commands: ['make'],
        env: { A: '1' },
      });
      const res = await h.request<EnvironmentItem>('PUT', `/api/v1/environments/${env.id}`, {
        key: a.admin,
        body: { name: `${env.name}-v2`, docker_image: 'debian:bookworm', setup_commands: ['apt-get update'] },
      });
      expect(res.status).toBe(200);
      expect(StrictEnvironmentItem.parse(res.body)).toEqual({
        ...env,
        name: `${env.name}-v2`,
        description: undefined,
        docker_image: 'debian:bookworm',
        repositories: [],
        setup_commands: ['apt-get update'],
        env: {},
        updated_at: res.body.updated_at,
      });
      expect(res.body).not.toHaveProperty('description');
      expect(Date.parse(res.body.updated_at)).toBeGreaterThanOrEqual(Date.parse(env.updated_at));
      expect((await get(a.admin, env.id)).body).toEqual(res.body);
    });

    it('PUT refuses to change the scope', async () => {
      const env = await newEnvironment(a.admin);
      const res = await h.request('PUT', `/api/v1/environments/${env.id}`, {
        key: a.admin,
        body: { name: env.name, docker_image: 'alpine', scope: 'User' },
      });
      expect(expectProblem(res, 400, 'invalid_request').detail).toContain('scope: environment');
      const same = await h.request('PUT', `/api/v1/environments/${env.id}`, {
        key: a.admin,
        body: { name: env.name, docker_image: 'alpine', scope: 'Team' },
      });
      expect(same.status).toBe(200);
    });

    it('PATCH changes only the fields given; lists and env are replaced whole; null clears the description', async () => {
      const env = await newEnvironment(a.admin, {
        description: 'keep me',
        repositories: ['acme/api', 'acme/web'],
        setup_commands: ['one', 'two'],
        env: { A: '1', B: '2' },
      });
      const patch = (body: unknown) =>
        h.request<EnvironmentItem>('PATCH', `/api/v1/environments/${env.id}`, { key: a.admin, body });

      const first = await patch({ setup_commands: ['three', 'four', 'five'], env: { C: '3' } });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({
        name: env.name,
        description: 'keep me',
        docker_image: 'ubuntu:24.04',
        repositories: [{ url: 'https://github.com/acme/api.git' }, { url: 'https://github.com/acme/web.git' }],
        setup_commands: ['three', 'four', 'five'],
        env: { C: '3' },
      });
      const second = await patch({ description: null, repositories: [{ url: 'acme/cli', ref: 'main' }] });
      expect(second.body).not.toHaveProperty('description');
      expect(second.body.repositories).toEqual([{ url: 'https://github.com/acme/cli.git', ref: 'main' }]);
      expect(second.body.setup_commands).toEqual(['three', 'four', 'five']);

      expect(expectProblem(await patch({}), 400, 'invalid_request').detail).toContain('send at least one of name');
      expect(expectProblem(await patch({ docker_image: 'UPPER' }), 400, 'invalid_request').detail).toContain(
        'docker_image: repository names must be lowercase',
      );
      expect((await get(a.admin, env.id)).body).toEqual(second.body);
    });

    it('clears setup_failed when what provisioning uses changes, not for a new description', async () => {
      const env = await newEnvironment(a.admin, { setup_commands: ['make'] });
      const markFailed = () => h.db.environment.update({ where: { id: env.id }, data: { setupFailed: true } });
      const patch = (body: unknown) =>
        h.request<EnvironmentItem>('PATCH', `/api/v1/environments/${env.id}`, { key: a.admin, body });

      await markFailed();
      expect((await patch({ description: 'only words' })).body.setup_failed).toBe(true);
      expect((await patch({ setup_commands: ['make'] })).body.setup_failed).toBe(true);
      expect((await patch({ setup_commands: ['make install'] })).body.setup_failed).toBe(false);
      await markFailed();
      expect((await patch({ env: { X: '1' } })).body.setup_failed).toBe(false);
      await markFailed();
      expect((await patch({ docker_image: 'alpine' })).body.setup_failed).toBe(false);
    });
  });

  describe('delete', () => {
    const del = (key: string, id: string, query = '') =>
      h.request<{ success: boolean }>('DELETE', `/api/v1/environments/${id}${query}`, { key });

    it('deletes an unused environment', async () => {
      const env = await newEnvironment(a.admin);
      const res = await del(a.admin, env.id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ success: true });
      expectProblem(await get(a.admin, env.id), 404, 'resource_not_found');
      expectProblem(await del(a.admin, env.id), 404, 'resource_not_found');
    });

    it('refuses (409, not retryable) while runs that have not ended use it, unless force=true', async () => {
      const env = await newEnvironment(a.admin);
      await insertRun(h.db, a.teamId, { environmentId: env.id, state: 'SUCCEEDED' });
      const queued = await insertRun(h.db, a.teamId, { environmentId: env.id, state: 'QUEUED' });
      const blocked = await insertRun(h.db, a.teamId, { environmentId: env.id, state: 'BLOCKED' });

      const refused = await del(a.admin, env.id);
      const problem = expectProblem(refused, 409, 'conflict');
      expect(problem.retryable).toBe(false);
      expect(refused.headers.get('x-should-retry')).toBe('false');
      expect(problem.detail).toBe(
        `environment ${env.id} is used by 2 runs that have not ended (${queued}, ${blocked}); ` +
          'wait for them to end or cancel them, or delete with ?force=true',
      );
      expect((await get(a.admin, env.id)).status).toBe(200);

      expect(expectProblem(await del(a.admin, env.id, '?force=yes'), 400, 'invalid_request').detail).toContain(
        'force: must be true or false',
      );
      expectProblem(await del(a.admin, env.id, '?force=false'), 409, 'conflict');
      expect((await del(a.admin, env.id, '?force=true')).body).toEqual({ success: true });
      expectProblem(await get(a.admin, env.id), 404, 'resource_not_found');
      // Runs keep the id they were created with.
      expect((await h.db.run.findUniqueOrThrow({ where: { id: queued } })).environmentId).toBe(env.id);
    });

    it('refuses (409) while a schedule, an integration or the team settings use it, naming each; force clears the team default', async () => {
      const env = await newEnvironment(a.admin);
      await h.db.schedule.create({
        data: {
          id: `sch_${env.id}`,
          teamId: a.teamId,
          scope: 'Team',
          name: 'nightly',
          cronSchedule: '0 3 * * *',
          agentConfig: { environment_id: env.id },
        },
      });
      await h.db.integration.create({
        data: {
          id: `int_${env.id}`,
          teamId: a.teamId,
          type: 'webhook',
          name: `hook-${env.id}`,
          config: { environment_id: env.id },
        },
      });
      await h.db.team.update({ where: { id: a.teamId }, data: { defaultEnvironmentId: env.id } });

      expect(expectProblem(await del(a.admin, env.id), 409, 'conflict').detail).toBe(
        `environment ${env.id} is used by schedule "nightly", webhook integration "hook-${env.id}", ` +
          'the team settings (default_environment_id); point them at another environment first, or delete with ?force=true',
      );
      expect((await get(a.admin, env.id)).status).toBe(200);
      expect((await del(a.admin, env.id, '?force=true')).body).toEqual({ success: true });
      expect((await h.db.team.findUniqueOrThrow({ where: { id: a.teamId } })).defaultEnvironmentId).toBeNull();
      await h.db.schedule.delete({ where: { id: `sch_${env.id}` } });
      await h.db.integration.delete({ where: { id: `int_${env.id}` } });
    });

    it('deletes once every run using it has ended', async () => {
      const env = await newEnvironment(a.admin);
      const run = await insertRun(h.db, a.teamId, { environmentId: env.id, state: 'INPROGRESS' });
      expect(expectProblem(await del(a.admin, env.id), 409, 'conflict').detail).toContain('used by 1 run that has');
      await h.db.run.update({ where: { id: run }, data: { state: 'CANCELLED' } });
      expect((await del(a.admin, env.id)).status).toBe(200);
    });
  });

  describe('GET /agent/environments (Oz shape)', () => {
    let team: TeamKeys;
    let first: EnvironmentItem;
    let second: EnvironmentItem;

    beforeAll(async () => {
      team = await createTeam(h.db, 'oz');
      first = await newEnvironment(team.admin, {
        name: 'zeta',
        description: 'with repos',
        docker_image: 'node:22',
        repositories: [
          'acme/api',
          'git@github.com:acme/web.git',
          { url: 'https://github.com/acme/docs', ref: 'main' },
          'https://gitlab.com/acme/other.git',
        ],
        setup_commands: ['npm ci'],
      });
      second = await newEnvironment(team.member, { name: 'alpha', scope: 'User' });
      await h.db.environment.update({ where: { id: first.id }, data: { updatedAt: new Date(Date.now() + 60_000) } });
    });

    const listOz = (query: string, key = team.admin) =>
      h.request<ListAgentEnvironmentsResponse>('GET', `/api/v1/agent/environments${query}`, { key });

    it('lists every visible environment as CloudEnvironment, GitHub repositories as {owner, repo}', async () => {
      const res = await listOz('');
      expect(res.status).toBe(200);
      expect(res.body.environments.map((e) => e.uid)).toEqual([first.id, second.id]);
      const [zeta, alpha] = res.body.environments.map((e) => StrictCloudEnvironment.parse(e));
      expect(zeta).toEqual({
        uid: first.id,
        config: {
          name: 'zeta',
          description: 'with repos',
          docker_image: 'node:22',
          github_repos: [
            { owner: 'acme', repo: 'api' },
            { owner: 'acme', repo: 'web' },
            { owner: 'acme', repo: 'docs' },
          ],
          setup_commands: ['npm ci'],
        },
        last_updated: zeta!.last_updated,
        setup_failed: false,
        scope: { type: 'Team', uid: team.teamId },
        creator: { type: 'user', uid: team.users.admin, display_name: 'admin of oz' },
      });
      expect(Date.parse(zeta!.last_updated)).toBeGreaterThan(Date.parse(first.updated_at));
      expect(alpha!.scope).toEqual({ type: 'User', uid: team.users.member });
    });

    it('sorts by name on request, and shows personal environments only to their owner and admins', async () => {
      expect((await listOz('?sort_by=name')).body.environments.map((e) => e.config.name)).toEqual(['alpha', 'zeta']);
      expect((await listOz('?sort_by=last_updated')).body.environments.map((e) => e.config.name)).toEqual([
        'zeta',
        'alpha',
      ]);
      expect((await listOz('', team.otherMember)).body.environments.map((e) => e.uid)).toEqual([first.id]);
      expect((await listOz('', team.admin)).body.environments).toHaveLength(2);
      expect((await listOz('', a.admin)).body.environments.map((e) => e.uid)).not.toContain(first.id);
      expect(expectProblem(await listOz('?sort_by=size'), 400, 'invalid_request').detail).toContain(
        'sort_by: must be name or last_updated',
      );
    });
  });

  describe('the typed client', () => {
    it('creates, replaces, patches, lists (both shapes), gets and deletes over the wire', async () => {
      const client = new AmbitClient({ baseUrl: h.url, apiKey: a.admin });
      const name = uniqueName('client');
      const created = await client.environments.create({
        name,
        docker_image: 'alpine:3',
        repositories: ['acme/tool'],
        env: { A: '1' },
      });
      const replaced = await client.environments.replace(created.id, { name, docker_image: 'alpine:3.20' });
      expect(replaced).toMatchObject({ id: created.id, docker_image: 'alpine:3.20', repositories: [], env: {} });
      const patched = await client.environments.update(created.id, { description: 'patched' });
      expect(patched.description).toBe('patched');
      expect(await client.environments.get(created.id)).toEqual(patched);

      const all: string[] = [];
      for await (const env of client.environments.listAll({ limit: 1, sort_by: 'name' })) all.push(env.id);
      const onePage = await client.environments.list({ limit: 500, sort_by: 'name' });
      expect(all).toEqual(onePage.environments.map((e) => e.id));
      expect(all).toContain(created.id);
      const cloud = await client.environments.listCloud({ sort_by: 'name' });
      expect(cloud.environments.find((e) => e.uid === created.id)?.config).toMatchObject({
        name,
        docker_image: 'alpine:3.20',
        description: 'patched',
      });

      expect(await client.environments.delete(created.id)).toEqual({ success: true });
      await expect(client.environments.get(created.id)).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('runs that name an environment', () => {
    const startRun = (key: string, environmentId: string) =>
      h.request<RunAgentResponse>('POST', '/api/v1/agent/runs', {
        key,
        body: { prompt: 'build it', config: { environment_id: environmentId } },
      });

    it('starts a run in a visible environment and lists it under environment_id', async () => {
      const env = await newEnvironment(a.admin);
      const res = await startRun(a.member, env.id);
      expect(res.status).toBe(200);
      expect((await h.db.run.findUniqueOrThrow({ where: { id: res.body.run_id } })).environmentId).toBe(env.id);
      const listed = await h.request<ListRunsResponse>('GET', `/api/v1/agent/runs?environment_id=${env.id}`, {
        key: a.admin,
      });
      expect(listed.body.runs.map((r) => r.run_id)).toEqual([res.body.run_id]);
      // Its own personal environment works for the owner too.
      const personal = await newEnvironment(a.otherMember, { scope: 'User' });
      expect((await startRun(a.otherMember, personal.id)).status).toBe(200);
    });

    it('answers 404 naming config.environment_id for a missing, foreign or invisible environment', async () => {
      const foreign = await newEnvironment(b.admin);
      const personal = await newEnvironment(a.otherMember, { scope: 'User' });
      const before = await h.db.run.count({ where: { teamId: a.teamId } });
      for (const id of ['env_000000000000000000000000', foreign.id, personal.id]) {
        const problem = expectProblem(await startRun(a.member, id), 404, 'resource_not_found');
        expect(problem.detail).toBe(
          `config.environment_id: Environment "${id}" does not exist or is not visible to this API key; ` +
            'list environments with GET /api/v1/environments',
        );
      }
      expect(await h.db.run.count({ where: { teamId: a.teamId } })).toBe(before);
    });
  });
});
