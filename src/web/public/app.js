/* global document, window, history, location */
/** The app shell: session check, hash routing, and one view at a time (each returns its cleanup). */
import { api, get, signedOut } from './api.js';
import { fill } from './dom.js';
import { showEnvironments } from './views/environments.js';
import { showRunDetail } from './views/run-detail.js';
import { showRuns } from './views/runs.js';
import { showSignIn } from './views/sign-in.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let cleanup = () => {};
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
  if (hash === '/environments') return { view: 'environments' };
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
  else if (r.view === 'environments') cleanup = showEnvironments(ctx);
  else cleanup = showRuns(ctx);
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
