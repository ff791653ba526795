/* global document, window, history, location */
/** The app shell: session check, hash routing, and one view at a time (each returns its cleanup). */
import { api, get, signedOut } from './api.js';
import { fill } from './dom.js';
import { showApiKeys } from './views/api-keys.js';
import { showEnvironments } from './views/environments.js';
import { showRunDetail } from './views/run-detail.js';
import { showRuns } from './views/runs.js';
import { showSchedules } from './views/schedules.js';
import { showSecrets } from './views/secrets.js';
import { showSignIn } from './views/sign-in.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let cleanup = () => {};
/** The management pages, by hash route. */
const PAGES = {
  '/environments': showEnvironments,
  '/schedules': showSchedules,
  '/secrets': showSecrets,
  '/api-keys': showApiKeys,
};

/** aria-current on the nav link of the page shown. */
function markCurrentPage() {
  const hash = location.hash || '#/runs';
  for (const link of nav.querySelectorAll('a')) {
    const here =
      hash === link.getAttribute('href') || (link.getAttribute('href') === '#/runs' && hash.startsWith('#/runs'));
    if (here) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}
let uiConfig;
let signedIn = false;

/** `/runs/<id>` is what a run's session_link points to; the app itself routes by hash. */
function adoptPathRoute() {
  const match = /^\/runs\/([^/]+)\/?$/.exec(location.pathname);
  if (match) history.replaceState(null, '', `/#/runs/${match[1]}`);
}

function route() {
  const hash = location.hash.replace(/^#/, '') || '/runs';
  const run = /^\/runs\/([^/]+)$/.exec(hash);
  if (run) return { view: 'run', runId: decodeURIComponent(run[1]) };
  if (PAGES[hash]) return { view: hash.slice(1) };
  return { view: 'runs' };
}

async function render() {
  cleanup();
  cleanup = () => {};
  nav.hidden = !signedIn;
  if (!signedIn) {
    cleanup = showSignIn(main, { onSignedIn: start }) ?? cleanup;
    return;
  }
  uiConfig ??= await get('/ui-config');
  const r = route();
  const ctx = { main, uiConfig };
  if (r.view === 'run') cleanup = showRunDetail(ctx, r.runId);
  else if (PAGES[`/${r.view}`]) cleanup = PAGES[`/${r.view}`](ctx);
  else cleanup = showRuns(ctx);
  markCurrentPage();
  main.focus({ preventScroll: true });
}

async function start() {
  signedIn = true;
  await render();
}

function showError(err) {
  fill(main, document.createTextNode(`Something went wrong: ${err.message}`));
}

document.getElementById('sign-out').addEventListener('click', () => {
  api('DELETE', '/session')
    .then(() => {
      signedIn = false;
      uiConfig = undefined;
      return render();
    })
    .catch(showError);
});

signedOut.addEventListener('signed-out', () => {
  if (!signedIn) return;
  signedIn = false;
  render().catch(showError);
});

window.addEventListener('hashchange', () => {
  render().catch(showError);
});

adoptPathRoute();
get('/session')
  .then((session) => {
    signedIn = session.signed_in === true;
    return render();
  })
  .catch(showError);
