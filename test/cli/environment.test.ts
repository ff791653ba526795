/**
 * `ambit environment ...` as a user runs it (`node bin/ambit.js` in a child process) against the real API over a
 * real PostgreSQL database and the suite's Temporal server.
 */
import { type EnvironmentItem, type ListEnvironmentsResponse } from '../../src/client';
import { createTeam, insertRun, startHarness, type Harness, type TeamKeys } from '../api/helpers';
import { lines, runAmbit } from './spawn-cli';

describe('ambit environment', () => {
  let h: Harness;
  let team: TeamKeys;
  /** Team environments are the admins' to manage. */
  let asAdmin: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness('postgres');
    team = await createTeam(h.db, 'cli-env');
    asAdmin = { AMBIT_API_URL: h.url, AMBIT_API_KEY: team.admin };
  });
  afterAll(async () => {
    await h?.close();
  });

  const ambit = (args: string[], env = asAdmin) => runAmbit(args, env);
  const environmentNamed = async (name: string): Promise<EnvironmentItem> => {
    const res = await h.request<ListEnvironmentsResponse>('GET', `/api/v1/environments?name=${name}`, {
      key: team.admin,
    });
    expect(res.body.environments).toHaveLength(1);
    return res.body.environments[0]!;
  };
  const expectOneErrorLine = (stderr: string): string => {
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /);
    return stderr.trim();
  };

  test('create sends every flag, repeatable ones in order, and prints the new id', async () => {
    const res = await ambit([
      'environment',
      'create',
      '--name',
      'api',
      '--docker-image',
      'node:22-bookworm',
      '--repo',
      'acme/api',
      '--repo',
      'git@gitlab.com:acme/shared.git',
      '--setup-command',
      'npm ci',
      '--setup-command',
      'npm run build',
      '--env',
      'NODE_ENV=test',
      '--env',
      'EXTRA_ARGS=--a=b',
      '--description',
      'The API, built',
    ]);

    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const created = await environmentNamed('api');
    expect(lines(res.stdout)[0]).toBe(`✓ Created environment ${created.id} (api)`);
    expect(created).toMatchObject({
      docker_image: 'node:22-bookworm',
      description: 'The API, built',
      repositories: [{ url: 'https://github.com/acme/api.git' }, { url: 'git@gitlab.com:acme/shared.git' }],
      setup_commands: ['npm ci', 'npm run build'],
      env: { NODE_ENV: 'test', EXTRA_ARGS: '--a=b' },
      scope: { type: 'Team', uid: team.teamId },
    });
  });

  test('create -o json prints the environment; --personal makes it personal', async () => {
    const res = await ambit([
      'environment',
      'create',
      '--name',
      'scratch',
      '--docker-image',
      'ubuntu:24.04',
      '--personal',
      '-o',
      'json',
    ]);

    expect(res.code).toBe(0);
    const printed = JSON.parse(res.stdout) as EnvironmentItem;
    expect(printed).toMatchObject({ name: 'scratch', scope: { type: 'User', uid: team.users.admin } });
    expect(printed).toEqual(await environmentNamed('scratch'));
  });

  test.each([
    ['no --name', ['--docker-image', 'alpine'], 'Error: --name is required, e.g. --name node-22'],
    ['no --docker-image', ['--name', 'x'], 'Error: --docker-image is required, e.g. --docker-image node:22-bookworm'],
    [
      'an uppercase image',
      ['--name', 'x', '--docker-image', 'Ubuntu:24.04'],
      'Error: --docker-image repository names must be lowercase: write "ubuntu" instead of "Ubuntu"',
    ],
    [
      'a URL with a token',
      ['--name', 'x', '--docker-image', 'alpine', '--repo', 'https://me:token@github.com/acme/api.git'],
      'Error: --repo "https://***@github.com/acme/api.git": must not embed credentials; store the token as a ' +
        'secret and give the URL without user or password',
    ],
    [
      'an empty setup command',
      ['--name', 'x', '--docker-image', 'alpine', '--setup-command', 'make', '--setup-command', ' '],
      'Error: --setup-command " ": setup commands must not be empty; remove the empty entry',
    ],
    [
      'a bad variable name',
      ['--name', 'x', '--docker-image', 'alpine', '--env', '1BAD=x'],
      'Error: --env name "1BAD" must match [A-Za-z_][A-Za-z0-9_]* (letters, digits and _, not starting with a digit)',
    ],
    [
      'a variable without =',
      ['--name', 'x', '--docker-image', 'alpine', '--env', 'NOVALUE'],
      'Error: --env needs KEY=VALUE, e.g. --env NODE_ENV=test (got "NOVALUE")',
    ],
    [
      'a long description',
      ['--name', 'x', '--docker-image', 'alpine', '--description', 'd'.repeat(241)],
      'Error: --description description is at most 240 characters; shorten it',
    ],
  ])('create with %s is a usage error (exit 2) naming the flag, and sends nothing', async (_label, args, message) => {
    const before = await h.db.environment.count();

    const res = await ambit(['environment', 'create', ...args]);

    expect(res.code).toBe(2);
    expect(expectOneErrorLine(res.stderr)).toBe(message);
    expect(await h.db.environment.count()).toBe(before);
  });

  test('a taken name is one error line naming the other environment, and exit 1', async () => {
    const first = await ambit(['environment', 'create', '--name', 'dup', '--docker-image', 'alpine', '-o', 'text']);

    const second = await ambit(['environment', 'create', '--name', 'dup', '--docker-image', 'alpine']);

    expect(second.code).toBe(1);
    expect(expectOneErrorLine(second.stderr)).toBe(
      `Error: Conflict: name: an environment named "dup" already exists among the team's environments ` +
        `(${first.stdout.trim()}); choose another name, or update that environment`,
    );
  });

  test('list prints a table, text lines, a JSON page or NDJSON; --scope and --sort-by reach the API', async () => {
    for (const name of ['list-b', 'list-a']) {
      expect((await ambit(['environment', 'create', '--name', name, '--docker-image', 'alpine:3'])).code).toBe(0);
    }

    const pretty = await ambit(['environment', 'list', '--sort-by', 'name']);
    const text = await ambit(['environment', 'list', '--sort-by', 'name', '-o', 'text']);
    const json = await ambit(['environment', 'list', '--limit', '1', '-o', 'json']);
    const ndjson = await ambit(['environment', 'list', '-o', 'ndjson']);
    const personal = await ambit(['environment', 'list', '--scope', 'personal', '-o', 'text']);

    expect(pretty.code).toBe(0);
    const table = lines(pretty.stdout);
    expect(table[0]).toMatch(/^ID\s+NAME\s+IMAGE\s+SCOPE\s+REPOS\s+UPDATED$/);
    const a = await environmentNamed('list-a');
    expect(table.find((l) => l.startsWith(a.id))).toMatch(
      new RegExp(`^${a.id}\\s+list-a\\s+alpine:3\\s+team\\s+0\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`),
    );
    const names = lines(text.stdout).map((l) => l.split('\t')[1]);
    expect(names.indexOf('list-a')).toBeLessThan(names.indexOf('list-b'));
    expect(names).toEqual([...names].sort());
    const page = JSON.parse(json.stdout) as ListEnvironmentsResponse;
    expect(page.environments).toHaveLength(1);
    expect(page.page_info.has_next_page).toBe(true);
    expect(lines(ndjson.stdout).map((l) => (JSON.parse(l) as EnvironmentItem).name)).toEqual(
      expect.arrayContaining(['list-a', 'list-b', 'api']),
    );
    expect(lines(personal.stdout).map((l) => l.split('\t')[1])).toEqual(['scratch']);

    const bad = await ambit(['environment', 'list', '--scope', 'org']);
    expect(bad.code).toBe(2);
    expect(expectOneErrorLine(bad.stderr)).toBe(
      'Error: --scope must be team or personal, e.g. --scope personal (got "org")',
    );
  });

  test('get takes an id or a name; an ambiguous or unknown name is an error', async () => {
    const api = await environmentNamed('api');

    const byName = await ambit(['environment', 'get', 'api']);
    const byId = await ambit(['env', 'get', api.id, '-o', 'json']);
    const asText = await ambit(['environment', 'get', 'api', '-o', 'text']);

    expect(byName.code).toBe(0);
    expect(byName.stdout).toMatch(new RegExp(`^Environment ${api.id}$`, 'm'));
    expect(byName.stdout).toMatch(/^ {2}Image\s+node:22-bookworm$/m);
    expect(byName.stdout).toMatch(/^ {2}Repository\s+https:\/\/github\.com\/acme\/api\.git$/m);
    expect(byName.stdout).toMatch(/^ {2}Setup\s+1\. npm ci$/m);
    expect(byName.stdout).toMatch(/^ {2}Setup\s+2\. npm run build$/m);
    expect(byName.stdout).toMatch(/^ {2}Env\s+NODE_ENV=test$/m);
    expect(JSON.parse(byId.stdout)).toEqual(api);
    expect(lines(asText.stdout).slice(0, 4)).toEqual([
      `Environment: ${api.id}`,
      'Name: api',
      'Description: The API, built',
      'Image: node:22-bookworm',
    ]);

    // A personal environment may share a team environment's name.
    const mine = await ambit(['environment', 'create', '--name', 'api', '--docker-image', 'alpine', '--personal']);
    expect(mine.code).toBe(0);
    const personal = (
      await h.request<ListEnvironmentsResponse>('GET', '/api/v1/environments?name=api&scope=User', {
        key: team.admin,
      })
    ).body.environments[0]!;
    const ambiguous = await ambit(['environment', 'get', 'api']);
    expect(ambiguous.code).toBe(2);
    expect(expectOneErrorLine(ambiguous.stderr)).toContain('2 environments are named "api"');
    expect(ambiguous.stderr).toContain(`${api.id} team`);
    expect(ambiguous.stderr).toContain(`${personal.id} personal (${team.users.admin})`);
    expect(ambiguous.stderr).toContain('give the id instead');
    expect((await ambit(['environment', 'delete', personal.id])).code).toBe(0);

    const unknown = await ambit(['environment', 'get', 'no-such-environment']);
    expect(unknown.code).toBe(1);
    expect(expectOneErrorLine(unknown.stderr)).toBe(
      'Error: no environment named "no-such-environment" is visible to this API key; see `ambit environment list`',
    );
    const unknownId = await ambit(['environment', 'get', 'env_000000000000000000000000']);
    expect(unknownId.code).toBe(1);
    expect(expectOneErrorLine(unknownId.stderr)).toContain('Error: Resource not found:');
  });

  test('update changes only what is given: env merges, lists replace, --clear-… empties', async () => {
    const res = await ambit([
      'environment',
      'update',
      'api',
      '--env',
      'CI=1',
      '--unset-env',
      'EXTRA_ARGS',
      '--setup-command',
      'npm ci --ignore-scripts',
      '--clear-description',
      '--docker-image',
      'node:22-slim',
    ]);

    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const updated = await environmentNamed('api');
    expect(lines(res.stdout)).toEqual([`✓ Updated environment ${updated.id} (api)`]);
    expect(updated).toMatchObject({
      docker_image: 'node:22-slim',
      repositories: [{ url: 'https://github.com/acme/api.git' }, { url: 'git@gitlab.com:acme/shared.git' }],
      setup_commands: ['npm ci --ignore-scripts'],
      env: { NODE_ENV: 'test', CI: '1' },
    });
    expect(updated.description).toBeUndefined();

    const cleared = await ambit(['environment', 'update', updated.id, '--clear-repos', '--clear-env', '-o', 'json']);
    expect(cleared.code).toBe(0);
    expect(JSON.parse(cleared.stdout)).toMatchObject({
      repositories: [],
      env: {},
      setup_commands: ['npm ci --ignore-scripts'],
    });

    const nothing = await ambit(['environment', 'update', 'api']);
    expect(nothing.code).toBe(2);
    expect(expectOneErrorLine(nothing.stderr)).toContain('Error: nothing to change');
    const conflicting = await ambit(['environment', 'update', 'api', '--repo', 'acme/x', '--clear-repos']);
    expect(conflicting.code).toBe(2);
    expect(expectOneErrorLine(conflicting.stderr)).toBe(
      'Error: --repo and --clear-repos conflict: --repo already replaces the whole list',
    );
  });

  test('viewers get the API’s 403 as one line', async () => {
    const res = await ambit(['environment', 'create', '--name', 'v', '--docker-image', 'alpine'], {
      AMBIT_API_URL: h.url,
      AMBIT_API_KEY: team.viewer,
    });

    expect(res.code).toBe(1);
    expect(expectOneErrorLine(res.stderr)).toBe(
      'Error: Not authorized: viewers may read environments but not create them; use a member or admin API key',
    );
  });

  test('delete refuses while a run that has not ended uses it, and --force deletes anyway', async () => {
    const created = await ambit(['environment', 'create', '--name', 'busy', '--docker-image', 'alpine', '-o', 'text']);
    const id = created.stdout.trim();
    const runId = await insertRun(h.db, team.teamId, { environmentId: id, state: 'INPROGRESS' });

    const refused = await ambit(['environment', 'delete', 'busy']);
    const forced = await ambit(['environment', 'delete', 'busy', '--force']);
    const gone = await ambit(['environment', 'get', id]);

    expect(refused.code).toBe(1);
    expect(expectOneErrorLine(refused.stderr)).toBe(
      `Error: Conflict: environment ${id} is used by 1 run that has not ended (${runId}); wait for it to end or ` +
        'cancel it, or delete with --force',
    );
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe(`■ Deleted environment ${id} (busy)\n`);
    expect(gone.code).toBe(1);
  });
});
