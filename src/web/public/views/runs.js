/* global EventSource, setInterval, clearInterval, setTimeout, clearTimeout, URLSearchParams, location */
/**
 * The runs list with filters and the form that starts a new run. The list is live: the team's run stream
 * (`GET /agent/runs/events`, Server-Sent Events: new runs and state changes) triggers a refresh; a slow poll covers
 * the moments the stream is reconnecting.
 */
import { API, get, post } from '../api.js';
import { fill, formatTime, h, runHref, stateBadge } from '../dom.js';

const POLL_MS = 15000;
/** Bursts of state changes (many runs starting at once) become one refresh. */
const STREAM_DEBOUNCE_MS = 250;

function select(id, label, options, emptyLabel) {
  return [
    h('label', { for: id }, label),
    h(
      'select',
      { id, name: id },
      h('option', { value: '' }, emptyLabel),
      options.map((o) => h('option', { value: o.value }, o.label)),
    ),
  ];
}

function filtersForm(uiConfig, onChange) {
  const states = uiConfig.run_states.map((s) => ({ value: s, label: s }));
  const sources = uiConfig.run_sources.map((s) => ({ value: s, label: s }));
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter runs' },
    h('div', { class: 'field' }, select('filter-state', 'State', states, 'Any state')),
    h('div', { class: 'field' }, select('filter-source', 'Source', sources, 'Any source')),
    h('div', { class: 'field' }, select('filter-creator', 'Creator', [], 'Anyone')),
    h(
      'div',
      { class: 'field' },
      select('filter-environment', 'Environment', [{ value: 'empty-environment', label: 'No environment' }], 'Any'),
    ),
    h('div', { class: 'field' }, select('filter-schedule', 'Schedule', [], 'Any')),
    h(
      'div',
      { class: 'field grow' },
      h('label', { for: 'filter-q' }, 'Search'),
      h('input', { id: 'filter-q', name: 'q', type: 'search', placeholder: 'Title or prompt' }),
    ),
  );
  // The choices come from the team's members, environments and schedules; a list that fails to load stays empty.
  const fillOptions = (id, path, pick) =>
    get(path)
      .then((body) => form.elements[id].append(...pick(body).map(([value, label]) => h('option', { value }, label))))
      .catch(() => undefined);
  fillOptions('filter-creator', '/members', ({ members }) => members.map((m) => [m.user.uid, m.user.display_name]));
  fillOptions('filter-environment', '/environments?limit=200', ({ environments }) =>
    environments.map((e) => [e.id, e.name]),
  );
  fillOptions('filter-schedule', '/agent/schedules', ({ schedules }) => schedules.map((s) => [s.id, s.name]));
  form.addEventListener('submit', (e) => e.preventDefault());
  form.addEventListener('change', onChange);
  form.addEventListener('input', onChange);
  return form;
}

function queryOf(form) {
  const params = new URLSearchParams({ limit: '50' });
  const state = form.elements['filter-state'].value;
  const source = form.elements['filter-source'].value;
  const q = form.elements['filter-q'].value.trim();
  if (state) params.set('state', state);
  if (source) params.set('source', source);
  if (q) params.set('q', q);
  for (const [id, param] of [
    ['filter-creator', 'creator'],
    ['filter-environment', 'environment_id'],
    ['filter-schedule', 'schedule_id'],
  ]) {
    const value = form.elements[id].value;
    if (value) params.set(param, value);
  }
  return params.toString();
}

function runsTable(runs) {
  if (runs.length === 0) return h('p', { class: 'muted' }, 'No runs match.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id: 'runs-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Run'),
          h('th', { scope: 'col' }, 'State'),
          h('th', { scope: 'col', class: 'wide-only' }, 'Source'),
          h('th', { scope: 'col' }, 'Created'),
        ),
      ),
      h(
        'tbody',
        {},
        runs.map((run) =>
          h(
            'tr',
            { 'data-run-id': run.run_id },
            h('td', {}, h('a', { href: runHref(run.run_id) }, run.title || run.run_id)),
            h('td', {}, stateBadge(run.state)),
            h('td', { class: 'wide-only' }, run.source ?? ''),
            h('td', {}, formatTime(run.created_at)),
          ),
        ),
      ),
    ),
  );
}

function newRunForm() {
  const model = h('select', { id: 'new-model', name: 'model' }, h('option', { value: '' }, 'Default model'));
  const environment = h('select', { id: 'new-environment', name: 'environment' }, h('option', { value: '' }, 'None'));
  const prompt = h('textarea', { id: 'new-prompt', name: 'prompt', rows: '4', required: true });
  const error = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'submit' }, 'Start run');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'new-run-title' },
    h('h2', { id: 'new-run-title' }, 'New run'),
    h('label', { for: 'new-prompt' }, 'Prompt'),
    prompt,
    h(
      'div',
      { class: 'row' },
      h('div', { class: 'field grow' }, h('label', { for: 'new-model' }, 'Model'), model),
      h('div', { class: 'field grow' }, h('label', { for: 'new-environment' }, 'Environment'), environment),
    ),
    error,
    button,
  );
  get('/agent/models')
    .then(({ models, default_model_id }) => {
      model.firstChild.textContent = `Default (${default_model_id})`;
      for (const m of models) model.append(h('option', { value: m.id }, `${m.display_name} (${m.id})`));
    })
    .catch((err) => (error.textContent = `Could not load models: ${err.message}`));
  get('/environments')
    .then(({ environments }) => {
      for (const env of environments) environment.append(h('option', { value: env.id }, env.name));
    })
    .catch((err) => (error.textContent = `Could not load environments: ${err.message}`));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const config = {};
    if (model.value) config.model_id = model.value;
    if (environment.value) config.environment_id = environment.value;
    button.disabled = true;
    error.textContent = '';
    post('/agent/runs', { prompt: prompt.value, source: 'WEB_APP', ...(Object.keys(config).length ? { config } : {}) })
      .then((created) => {
        location.hash = runHref(created.run_id);
      })
      .catch((err) => (error.textContent = err.message))
      .finally(() => (button.disabled = false));
  });
  return form;
}

export function showRuns({ main, uiConfig }) {
  const list = h('div', { id: 'runs-list' }, h('p', { class: 'muted' }, 'Loading…'));
  let active = true;
  let generation = 0;
  // Re-rendering only on change keeps keyboard focus on a link while the list polls.
  let shown = '';
  const refresh = () => {
    const mine = ++generation;
    get(`/agent/runs?${queryOf(filters)}`)
      .then(({ runs }) => {
        const key = JSON.stringify(runs.map((r) => [r.run_id, r.state, r.title]));
        if (!active || mine !== generation || key === shown) return;
        shown = key;
        fill(list, runsTable(runs));
      })
      .catch((err) => {
        if (!active || mine !== generation) return;
        shown = '';
        fill(list, h('p', { class: 'error' }, `Could not load runs: ${err.message}`));
      });
  };
  const filters = filtersForm(uiConfig, refresh);
  fill(main, h('h1', {}, 'Runs'), newRunForm(), h('section', { 'aria-label': 'Runs' }, filters, list));
  refresh();
  const timer = setInterval(refresh, POLL_MS);
  let pending;
  const refreshSoon = () => {
    clearTimeout(pending);
    pending = setTimeout(refresh, STREAM_DEBOUNCE_MS);
  };
  // The browser reconnects by itself with Last-Event-ID, so no change is missed across a reconnect.
  const stream = new EventSource(`${API}/agent/runs/events`);
  stream.addEventListener('state_changed', refreshSoon);
  return () => {
    active = false;
    clearInterval(timer);
    clearTimeout(pending);
    stream.close();
  };
}
