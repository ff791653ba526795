/**
 * The management UI in a real browser (Debian's Chromium) against the whole platform: real API, worker, database
 * and Temporal, with the scripted model server standing in for the provider. Gates in the model scripts hold runs
 * mid-step so the tests can watch, follow up and cancel while the run is really in flight.
 */
import type { Page } from 'playwright-core';
import { startScriptedModelServer, type ScriptedModelServer } from '../fixtures/model-server';
import { launchBrowser, type TestBrowser } from '../helpers/browser';
import { startTestPlatform, type TestPlatform } from '../helpers/platform';

const PUBLIC_URL = 'http://ambit.test';
const TEMPORAL_UI = 'http://temporal-ui.test:8233';
const UI_TIMEOUT = 30_000;

describe('web UI in Chromium', () => {
  let models: ScriptedModelServer;
  let platform: TestPlatform;
  let browser: TestBrowser;
  /** Console errors and uncaught exceptions of every page opened after signing in, one list per page. */
  const pageErrors: string[][] = [];

  beforeAll(async () => {
    models = await startScriptedModelServer();
    platform = await startTestPlatform({
      env: {
        OPENAI_COMPATIBLE_BASE_URL: models.url,
        AMBIT_DEFAULT_MODEL: 'openai-compatible/m',
        AMBIT_PUBLIC_URL: PUBLIC_URL,
        AMBIT_TEMPORAL_UI_URL: TEMPORAL_UI,
      },
    });
    browser = await launchBrowser({ baseURL: platform.api.url });
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

  const runState = (page: Page) => page.locator('#run-state .badge');

  test('sign in with an API key: a bad key shows an error, the right one (keyboard only) opens the runs list', async () => {
    // Not in pageErrors: Chromium logs the 401 answering the bad key, which is the expected answer here.
    const { page } = await browser.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto('/');
    const key = page.getByLabel('API key');
    await expectFocused(page, '#api-key');
    await key.fill('ambit_not-a-real-key');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'unknown, revoked or expired' }).waitFor();
    expect(await page.locator('#nav').isHidden()).toBe(true);

    await key.fill(platform.apiKey);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    expect(await page.locator('#nav').isVisible()).toBe(true);
    // The key lives only in an HttpOnly cookie: page scripts cannot read it.
    expect(await page.evaluate('document.cookie')).toBe('');
    const cookies = await browser.context.cookies(platform.api.url);
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'ambit_session', httpOnly: true, sameSite: 'Strict', secure: false }),
    ]);
    await page.close();
  });

  test('a run created from the form progresses live to SUCCEEDED, tool call in the transcript', async () => {
    models.addScript('ui-live', [
      { gate: 'ui-live-gate', toolCalls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'hello' } }] },
      { text: 'All done, notes written.' },
    ]);
    const page = await open('/#/runs');
    await page.locator('#new-model option', { hasText: 'openai-compatible/m' }).first().waitFor({ state: 'attached' });
    await page.getByLabel('Prompt').fill('Write notes [script:ui-live]');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/#\/runs\/[^/]+$/);
    const runId = decodeURIComponent(page.url().split('#/runs/')[1]!);

    // Held at the model gate: the page shows the run in progress, streamed, not yet finished.
    await models.waitForGate('ui-live-gate');
    await page.locator('#timeline li[data-state="INPROGRESS"]').waitFor();
    expect(await page.locator('#timeline li[data-state="SUCCEEDED"]').count()).toBe(0);
    expect(await page.locator('#run-prompt').textContent()).toBe('Write notes [script:ui-live]');
    await browser.screenshot(page, 'run-in-progress');

    models.release('ui-live-gate');
    await page.locator('#timeline li[data-state="SUCCEEDED"]').waitFor();
    await runState(page).filter({ hasText: 'SUCCEEDED' }).waitFor();
    const call = page.locator('#transcript .tool-call[data-tool="write_file"]');
    await call.locator('.result-completed').waitFor();
    expect(await call.locator('pre').first().textContent()).toContain('notes.txt');
    await page.locator('#transcript .message', { hasText: 'All done, notes written.' }).waitFor();
    await page.locator('#artifacts', { hasText: 'report.md' }).waitFor();
    await page.locator('#usage', { hasText: 'Tokens' }).waitFor();
    // Every state but the last has a duration; the config is the resolved one.
    const states = await page
      .locator('#timeline li')
      .evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-state'), li.querySelector('.duration') !== null]));
    expect(states[0]).toEqual(['QUEUED', true]);
    expect(states[states.length - 1]).toEqual(['SUCCEEDED', false]);
    expect(await page.locator('#run-config').textContent()).toContain('openai-compatible/m');
    expect(await page.locator('#temporal-link').getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(runId)}`,
    );
    expect(await page.locator('#cancel-run').isHidden()).toBe(true);
    const stored = await platform.request('GET', `/agent/runs/${runId}`);
    expect(stored.body).toMatchObject({
      state: 'SUCCEEDED',
      source: 'WEB_APP',
      prompt: 'Write notes [script:ui-live]',
    });
    await browser.screenshot(page, 'run-succeeded');
    await page.close();
  });

  test('a follow-up sent from the page reaches the agent held at a gate', async () => {
    models.addScript('ui-fu', [
      { gate: 'ui-fu-gate', toolCalls: [{ name: 'list_files', input: {} }] },
      { text: 'Answered with the follow-up.' },
    ]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Look around [script:ui-fu]' });
    const runId: string = created.body.run_id;
    const page = await open(`/#/runs/${encodeURIComponent(runId)}`);
    await models.waitForGate('ui-fu-gate');

    await page.getByLabel('Message to the agent').fill('Also mention the time.');
    await page.getByRole('button', { name: 'Send follow-up' }).click();
    await page.locator('#followup-status', { hasText: 'Follow-up delivered' }).waitFor();
    models.release('ui-fu-gate');

    await page.locator('#transcript .message', { hasText: 'Also mention the time.' }).waitFor();
    await runState(page).filter({ hasText: 'SUCCEEDED' }).waitFor();
    expect(JSON.stringify(models.callsFor('ui-fu')[1]?.body)).toContain('Also mention the time.');
    await page.close();
  });

  test('the cancel button cancels a run in flight', async () => {
    models.addScript('ui-cancel', [{ gate: 'ui-cancel-gate', text: 'never sent' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Wait forever [script:ui-cancel]' });
    const runId: string = created.body.run_id;
    const page = await open(`/#/runs/${encodeURIComponent(runId)}`);
    await models.waitForGate('ui-cancel-gate');

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('#timeline li[data-state="CANCELLED"]').waitFor();
    await runState(page).filter({ hasText: 'CANCELLED' }).waitFor();
    expect((await platform.request('GET', `/agent/runs/${runId}`)).body.state).toBe('CANCELLED');
    models.release('ui-cancel-gate');
    await page.close();
  });

  test('a run blocked on an approval gate shows the pending command, and Approve resumes it', async () => {
    models.addScript('ui-approve', [
      { toolCalls: [{ name: 'run_shell_command', input: { command: 'echo ui-approved' } }] },
      { text: 'Approved and ran it.' },
    ]);
    const created = await platform.request('POST', '/agent/runs', {
      prompt: 'Gated command [script:ui-approve]',
      config: { approvals: { shell_patterns: ['^echo '] } },
    });
    const runId: string = created.body.run_id;
    const page = await open(`/#/runs/${encodeURIComponent(runId)}`);

    const box = page.getByRole('region', { name: 'Approval needed' });
    await box.waitFor();
    await runState(page).filter({ hasText: 'BLOCKED' }).waitFor();
    expect(await page.locator('#approval-action').textContent()).toContain('echo ui-approved');
    await browser.screenshot(page, 'run-blocked');
    await page.getByLabel('Comment (optional; the agent reads it on a denial)').fill('looks safe');
    await page.getByRole('button', { name: 'Approve' }).click();

    await runState(page).filter({ hasText: 'SUCCEEDED' }).waitFor();
    expect(await box.isHidden()).toBe(true);
    await page.locator('#transcript .tool-call[data-tool="run_shell_command"]').locator('.result-completed').waitFor();
    const decided = await platform.database.db.runEvent.findFirst({ where: { runId, type: 'approval_decided' } });
    expect(decided?.data).toMatchObject({ decision: 'approve', by: 'admin', comment: 'looks safe' });
    await page.close();
  });

  test('Interrupt stops the step in flight; the run waits BLOCKED and a follow-up resumes it', async () => {
    models.addScript('ui-int', [{ gate: 'ui-int-gate', text: 'Resumed with new instructions.' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Take your time [script:ui-int]' });
    const runId: string = created.body.run_id;
    const page = await open(`/#/runs/${encodeURIComponent(runId)}`);
    await models.waitForGate('ui-int-gate');
    await runState(page).filter({ hasText: 'INPROGRESS' }).waitFor();

    await page.getByRole('button', { name: 'Interrupt' }).click();
    await runState(page).filter({ hasText: 'BLOCKED' }).waitFor();
    await page.locator('#transcript .interrupted', { hasText: 'Stopped by admin' }).waitFor();
    await page.locator('#run-status', { hasText: 'waiting for instructions' }).waitFor();
    expect(await page.locator('#interrupt-run').isHidden()).toBe(true);
    // The page moves the keyboard to the message box: the next thing to do is to say what to do next.
    await expectFocused(page, '#followup-text');
    await browser.screenshot(page, 'run-interrupted');

    models.release('ui-int-gate');
    await page.keyboard.type('Summarize instead.');
    await page.getByRole('button', { name: 'Send follow-up' }).click();
    await runState(page).filter({ hasText: 'SUCCEEDED' }).waitFor();
    await page.locator('#transcript .message', { hasText: 'Resumed with new instructions.' }).waitFor();
    const calls = models.callsFor('ui-int');
    expect(calls[0]?.aborted).toBe(true);
    expect(JSON.stringify(calls.at(-1)?.body)).toContain('Summarize instead.');
    await page.close();
  });

  test('the session_link URL opens the run page directly', async () => {
    models.addScript('ui-link', [{ text: 'hi' }]);
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Say hi [script:ui-link]' });
    const runId: string = created.body.run_id;
    const run = await platform.waitForState(runId, ['SUCCEEDED']);
    expect(run.session_link).toBe(`${PUBLIC_URL}/runs/${runId}`);

    const page = await open(new URL(run.session_link as string).pathname);
    await runState(page).filter({ hasText: 'SUCCEEDED' }).waitFor();
    expect(await page.locator('#run-prompt').textContent()).toBe('Say hi [script:ui-link]');
    expect(page.url()).toBe(`${platform.api.url}/#/runs/${runId}`);
    await page.close();
  });

  test('the runs list follows runs without a reload, driven by the team run stream (SSE)', async () => {
    models.addScript('ui-list', [{ gate: 'ui-list-gate', text: 'listed' }]);
    const tab = await browser.newPage();
    tab.page.setDefaultTimeout(UI_TIMEOUT);
    pageErrors.push(tab.errors);
    const page = tab.page;
    const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/agent/runs/events');
    await page.goto('/#/runs');
    expect((await stream).headers()['content-type']).toContain('text/event-stream');
    await page.locator('#runs-table').waitFor();
    const created = await platform.request('POST', '/agent/runs', { prompt: 'Show me in the list [script:ui-list]' });
    const row = page.locator(`#runs-table tr[data-run-id="${created.body.run_id}"]`);
    await models.waitForGate('ui-list-gate');
    await row.locator('.badge', { hasText: 'INPROGRESS' }).waitFor();
    models.release('ui-list-gate');
    await row.locator('.badge', { hasText: 'SUCCEEDED' }).waitFor();
    await page.close();
  });

  test('the runs list filters by text and state, and is readable on a narrow screen', async () => {
    const page = await open('/#/runs');
    await page.locator('#runs-table').waitFor();
    await page.getByLabel('Search').fill('Look around');
    await expectRows(page, ['Look around [script:ui-fu]']);
    await page.getByLabel('Search').fill('');
    await page.getByLabel('State').selectOption('CANCELLED');
    await expectRows(page, ['Wait forever [script:ui-cancel]']);
    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Source').selectOption('WEB_APP');
    await expectRows(page, ['Write notes [script:ui-live]']);
    await page.getByLabel('Source').selectOption('');

    await page.setViewportSize({ width: 375, height: 812 });
    await page.locator('#runs-table tbody tr').nth(3).waitFor();
    await browser.screenshot(page, 'runs-narrow');
    const runId = await page.locator('#runs-table tbody tr').first().getAttribute('data-run-id');
    await page.locator('#runs-table tbody tr a').first().click();
    await page.waitForURL(`**/#/runs/${runId}`);
    await page.locator('#timeline li').first().waitFor();
    await browser.screenshot(page, 'run-narrow');
    // Nothing wider than the screen: no sideways scrolling of the page.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await page.close();
  });

  test('the environments page lists them', async () => {
    const created = await platform.request('POST', '/environments', { name: 'web-ui-env', docker_image: 'node:22' });
    expect(created.status).toBe(201);
    const page = await open('/#/environments');
    await page.getByRole('cell', { name: 'web-ui-env', exact: true }).waitFor();
    expect(await page.locator('table').textContent()).toContain('node:22');
    await page.close();
  });

  test('no page logged a console error or threw', () => {
    expect(pageErrors.flat()).toEqual([]);
  });
});

/** Polls until `check` passes; the page's CSP forbids the string evaluation waitForFunction would need. */
async function eventually(check: () => Promise<void>, timeoutMs = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function expectFocused(page: Page, selector: string): Promise<void> {
  await eventually(async () => {
    expect(await page.locator(selector).evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
  });
}

/** Waits until the runs table shows exactly these titles (the list refreshes as filters change). */
async function expectRows(page: Page, titles: string[]): Promise<void> {
  await eventually(async () => {
    expect(await page.locator('#runs-table tbody tr td:first-child').allTextContents()).toEqual(titles);
  });
}
