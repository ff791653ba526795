/**
 * The management pages in a real browser (Debian's Chromium) against the whole platform: environments, API keys,
 * secrets and schedules, plus the runs list filters that point at them. Each page is driven through its labels and
 * keyboard, checked against the API, shown on a narrow screen, and must log no console error.
 */
import type { Page } from 'playwright-core';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { launchBrowser, type TestBrowser } from '../helpers/browser';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const UI_TIMEOUT = 30_000;
const NARROW = { width: 375, height: 812 };

describe('management pages in Chromium', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let browser: TestBrowser;
  const pageErrors: string[][] = [];

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: { OPENAI_COMPATIBLE_BASE_URL: models.url, AMBIT_DEFAULT_MODEL: 'openai-compatible/m' },
    });
    browser = await launchBrowser({ baseURL: platform.api.url });
    const page = await open('/');
    await page.getByLabel('API key').fill(platform.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await page.close();
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await models?.close();
  });

  async function open(path: string): Promise<Page> {
    const tab = await browser.newPage();
    tab.page.setDefaultTimeout(UI_TIMEOUT);
    pageErrors.push(tab.errors);
    await tab.page.goto(path);
    return tab.page;
  }

  /**
   * After a deliberate bad request: Chromium logs the 400 that answers it, which is the expected answer; that one
   * line is taken off the page's errors, anything else stays for the final check.
   */
  function expectBadRequestLogged(): void {
    const errors = pageErrors[pageErrors.length - 1]!;
    const at = errors.findIndex((e) => e.includes('status of 400 (Bad Request)'));
    expect(at).toBeGreaterThanOrEqual(0);
    errors.splice(at, 1);
  }

  /** On a phone-sized screen the page itself never scrolls sideways (wide tables scroll inside their box). */
  async function expectReadableWhenNarrow(page: Page, name: string): Promise<void> {
    await page.setViewportSize(NARROW);
    await browser.screenshot(page, name);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(NARROW.width);
  }

  test('environments: create, edit and delete from the page', async () => {
    const page = await open('/#/environments');
    await page.getByRole('heading', { name: 'New environment' }).waitFor();
    await page.getByLabel('Name').fill('web-env');
    await page.getByLabel('Docker image').fill('node:22-bookworm');
    await page.getByLabel('Repositories').fill('acme/api main');
    await page.getByLabel('Setup commands').fill('npm ci\nnpm run build');
    await page.getByLabel('Variables').fill('NODE_ENV=test');
    await page.getByLabel('Description (optional)').focus();
    await page.keyboard.type('For the web tests');
    await page.keyboard.press('Enter');
    const row = page.locator('#environments-table tr[data-environment="web-env"]');
    await row.waitFor();
    await page.locator('#environments-status', { hasText: 'Created environment web-env.' }).waitFor();
    const [stored] = (await platform.request('GET', '/environments')).body.environments;
    expect(stored).toMatchObject({
      name: 'web-env',
      description: 'For the web tests',
      docker_image: 'node:22-bookworm',
      repositories: [{ url: 'https://github.com/acme/api.git', ref: 'main' }],
      setup_commands: ['npm ci', 'npm run build'],
      env: { NODE_ENV: 'test' },
    });

    await page.getByRole('button', { name: 'Edit web-env' }).click();
    await page.getByRole('heading', { name: 'Edit web-env' }).waitFor();
    expect(await page.getByLabel('Setup commands').inputValue()).toBe('npm ci\nnpm run build');
    await page.getByLabel('Docker image').fill('node:24-bookworm');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await row.locator('code', { hasText: 'node:24-bookworm' }).waitFor();
    expect((await platform.request('GET', `/environments/${stored.id}`)).body).toMatchObject({
      docker_image: 'node:24-bookworm',
      setup_commands: ['npm ci', 'npm run build'],
    });

    // A bad value is answered on the page, naming the field; nothing changes.
    await page.getByLabel('Name').fill('bad-image');
    await page.getByLabel('Docker image').fill('not a valid image!');
    await page.getByRole('button', { name: 'Create environment' }).click();
    await page.locator('#env-form-status', { hasText: 'docker_image' }).waitFor();
    expect(await page.locator('#env-form-status').getAttribute('class')).toContain('error');
    expectBadRequestLogged();
    expect((await platform.request('GET', '/environments')).body.environments).toHaveLength(1);
    await expectReadableWhenNarrow(page, 'environments-narrow');

    // Delete asks first; both presses work from the keyboard.
    const remove = page.getByRole('button', { name: 'Delete web-env' });
    await remove.focus();
    await page.keyboard.press('Enter');
    await remove.filter({ hasText: 'Confirm delete' }).waitFor();
    expect((await platform.request('GET', `/environments/${stored.id}`)).status).toBe(200);
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
    expect((await platform.request('GET', `/environments/${stored.id}`)).status).toBe(404);
    await page.close();
  });

  test('API keys: a new key is shown once and works; expiring it stops it', async () => {
    const page = await open('/#/api-keys');
    await page.getByLabel('Name').fill('ci-from-web');
    await page.getByLabel('Expires in').selectOption('30d');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.locator('#new-key-value');
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key).toMatch(/^ambit_/);
    expect(await shown.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await browser.screenshot(page, 'api-key-created');
    const withKey = () =>
      fetch(`${platform.api.url}/api/v1/agent/runs`, { headers: { authorization: `Bearer ${key}` } }).then(
        (r) => r.status,
      );
    expect(await withKey()).toBe(200);

    // Listed by name and prefix only; opened again, the page has no trace of the key.
    const row = page.locator('#api-keys-table tr[data-key="ci-from-web"]');
    await row.waitFor();
    expect(key.startsWith((await row.locator('code').textContent())!.replace('…', ''))).toBe(true);
    await page.goto('/#/runs');
    await page.goto('/#/api-keys');
    await row.waitFor();
    expect(await page.content()).not.toContain(key);
    await expectReadableWhenNarrow(page, 'api-keys-narrow');

    await page.getByRole('button', { name: 'Expire ci-from-web' }).click();
    await page.getByRole('button', { name: 'Expire ci-from-web' }).click();
    await row.locator('.badge', { hasText: /expired|revoked/ }).waitFor();
    expect(await withKey()).toBe(401);
    await page.close();
  });

  test('secrets: names and metadata only; the value goes in through a password field and never comes back', async () => {
    const value = 'sv-7f3a9c2e-never-shown';
    const bodies: string[] = [];
    const page = await open('/#/secrets');
    page.on('response', (r) => {
      if (r.url().includes('/api/'))
        void r.text().then(
          (t) => bodies.push(t),
          () => undefined,
        );
    });
    const field = page.getByLabel('Value', { exact: true });
    expect(await field.getAttribute('type')).toBe('password');
    await page.getByLabel('Name').fill('WEB_TOKEN');
    await field.fill(value);
    await page.getByLabel('Description (optional)').fill('deploy token');
    await page.getByRole('button', { name: 'Create secret' }).click();
    const row = page.locator('#secrets-table tr[data-secret="WEB_TOKEN"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('deploy token');
    expect(await field.inputValue()).toBe('');

    await page.getByRole('button', { name: 'Update WEB_TOKEN' }).click();
    const newValue = page.getByLabel('New value');
    expect(await newValue.getAttribute('type')).toBe('password');
    expect(await newValue.inputValue()).toBe('');
    await newValue.fill(`${value}-2`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#secrets-status', { hasText: 'Updated secret WEB_TOKEN.' }).waitFor();
    await expectReadableWhenNarrow(page, 'secrets-narrow');

    expect(await page.content()).not.toContain(value);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(body).not.toContain(value);

    await page.getByRole('button', { name: 'Delete WEB_TOKEN' }).click();
    await page.getByRole('button', { name: 'Delete WEB_TOKEN' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await platform.request('GET', '/secrets')).body.secrets).toEqual([]);
    await page.close();
  });

  test('schedules: create with its next run, pause, resume, delete', async () => {
    const page = await open('/#/schedules');
    await page.getByLabel('Name').fill('nightly-web');
    await page.getByLabel('Cron').fill('0 3 * * *');
    await page.getByLabel('Prompt').fill('Tidy up the repository');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    const row = page.locator('#schedules-table tr[data-schedule="nightly-web"]');
    await row.locator('.badge', { hasText: 'active' }).waitFor();
    expect((await row.locator('.next-run').textContent())?.trim()).not.toBe('—');
    const [stored] = (await platform.request('GET', '/agent/schedules')).body.schedules;
    expect(stored).toMatchObject({ name: 'nightly-web', cron_schedule: '0 3 * * *', enabled: true });
    expect(Date.parse(stored.history.next_run)).toBeGreaterThan(Date.now());

    // A bad cron is answered on the page, naming the field.
    await page.getByLabel('Name').fill('broken');
    await page.getByLabel('Cron').fill('every night');
    await page.getByLabel('Prompt').fill('x');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.locator('#schedule-form-status', { hasText: 'cron' }).waitFor();
    expect(await page.locator('#schedule-form-status').getAttribute('class')).toContain('error');
    expectBadRequestLogged();

    await page.getByRole('button', { name: 'Pause nightly-web' }).click();
    await row.locator('.badge', { hasText: 'paused' }).waitFor();
    expect((await platform.request('GET', `/agent/schedules/${stored.id}`)).body.enabled).toBe(false);
    await page.getByRole('button', { name: 'Resume nightly-web' }).click();
    await row.locator('.badge', { hasText: 'active' }).waitFor();
    expect((await platform.request('GET', `/agent/schedules/${stored.id}`)).body.enabled).toBe(true);
    await expectReadableWhenNarrow(page, 'schedules-narrow');

    await page.getByRole('button', { name: 'Delete nightly-web' }).click();
    await page.getByRole('button', { name: 'Delete nightly-web' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await platform.request('GET', '/agent/schedules')).body.schedules).toEqual([]);
    await page.close();
  });

  test('the runs list filters by environment and creator; the nav marks the page shown', async () => {
    models.addScript('pg', [{ text: 'ok' }]);
    const env = await platform.request('POST', '/environments', { name: 'filter-env', docker_image: 'busybox' });
    const inEnv = await platform.request('POST', '/agent/runs', {
      prompt: 'In the environment [script:pg]',
      config: { environment_id: env.body.id },
    });
    expect(inEnv.status).toBe(200);
    await platform.request('POST', '/agent/runs', { prompt: 'Without one [script:pg]' });

    const page = await open('/#/runs');
    await page.locator('#runs-table').waitFor();
    expect(await page.getByRole('link', { name: 'Runs' }).getAttribute('aria-current')).toBe('page');
    await page.locator('#filter-environment option', { hasText: 'filter-env' }).waitFor({ state: 'attached' });
    await page.locator('#filter-environment').selectOption({ label: 'filter-env' });
    await expectTitles(page, ['In the environment [script:pg]']);
    await page.locator('#filter-environment').selectOption('empty-environment');
    await expectTitles(page, ['Without one [script:pg]']);
    await page.locator('#filter-environment').selectOption('');
    await page.locator('#filter-creator option:nth-child(2)').waitFor({ state: 'attached' });
    await page.getByLabel('Creator').selectOption({ index: 1 });
    await expectTitles(page, ['In the environment [script:pg]', 'Without one [script:pg]'], { anyOrder: true });

    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByRole('heading', { name: 'Schedules', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Schedules' }).getAttribute('aria-current')).toBe('page');
    expect(await page.getByRole('link', { name: 'Runs' }).getAttribute('aria-current')).toBeNull();
    await page.close();
  });

  test('no page logged a console error or threw', () => {
    expect(pageErrors.flat()).toEqual([]);
  });
});

async function expectTitles(page: Page, titles: string[], options: { anyOrder?: boolean } = {}): Promise<void> {
  const deadline = Date.now() + UI_TIMEOUT;
  for (;;) {
    const cells = await page.locator('#runs-table tbody tr td:first-child').allTextContents();
    const shown = options.anyOrder ? cells.sort() : cells;
    if (JSON.stringify(shown) === JSON.stringify(titles)) return;
    if (Date.now() > deadline) expect(shown).toEqual(titles);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
