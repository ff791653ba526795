/**
 * Scheduled agents: the list with their next and last run, a form to create one, pause/resume and delete.
 */
import { api, get, post } from '../api.js';
import { fill, formatTime, h, runHref } from '../dom.js';
import { confirmButton, field, problemText, say, statusLine } from './forms.js';

function createForm(onCreated) {
  const name = h('input', { id: 'schedule-name', name: 'name', required: true, autocomplete: 'off' });
  const cron = h('input', {
    id: 'schedule-cron',
    name: 'cron_schedule',
    required: true,
    placeholder: '0 9 * * 1-5',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const zone = h('input', { id: 'schedule-zone', name: 'time_zone', placeholder: 'UTC', autocomplete: 'off' });
  const prompt = h('textarea', { id: 'schedule-prompt', name: 'prompt', rows: '3', required: true });
  const environment = h(
    'select',
    { id: 'schedule-environment', name: 'environment' },
    h('option', { value: '' }, 'None'),
  );
  const enabled = h('input', { id: 'schedule-enabled', name: 'enabled', type: 'checkbox', checked: true });
  const status = statusLine('schedule-form-status');
  const button = h('button', { type: 'submit', id: 'schedule-create' }, 'Create schedule');
  const form = h(
    'form',
    { class: 'card', id: 'schedule-form', 'aria-labelledby': 'schedule-form-title' },
    h('h2', { id: 'schedule-form-title' }, 'New schedule'),
    h(
      'div',
      { class: 'row' },
      field('schedule-name', 'Name', name),
      field('schedule-cron', 'Cron', cron, 'Five fields: minute hour day-of-month month day-of-week'),
      field('schedule-zone', 'Time zone (optional)', zone, 'IANA name; UTC when empty'),
    ),
    field('schedule-prompt', 'Prompt', prompt),
    h(
      'div',
      { class: 'row' },
      field('schedule-environment', 'Environment', environment),
      h('div', { class: 'field checkbox' }, enabled, h('label', { for: 'schedule-enabled' }, 'Enabled')),
    ),
    status,
    button,
  );
  get('/environments?limit=200')
    .then(({ environments }) => {
      for (const env of environments) environment.append(h('option', { value: env.id }, env.name));
    })
    .catch(() => undefined);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    say(status, 'Creating…');
    post('/agent/schedules', {
      name: name.value.trim(),
      cron_schedule: cron.value.trim(),
      prompt: prompt.value,
      enabled: enabled.checked,
      ...(zone.value.trim() ? { time_zone: zone.value.trim() } : {}),
      ...(environment.value ? { agent_config: { environment_id: environment.value } } : {}),
    })
      .then((created) => {
        name.value = '';
        cron.value = '';
        prompt.value = '';
        say(status, '');
        onCreated(created);
      })
      .catch((err) => say(status, `Could not create the schedule: ${problemText(err)}`, true))
      .finally(() => (button.disabled = false));
  });
  return form;
}

function schedulesTable(schedules, { onToggle, onDelete }) {
  if (schedules.length === 0) return h('p', { class: 'muted' }, 'No schedules yet.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id: 'schedules-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Name', 'Cron', 'State', 'Next run', 'Last run', 'Actions'].map((t, i) =>
            h('th', { scope: 'col', class: i === 4 ? 'wide-only' : undefined }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        schedules.map((s) => {
          const lastRunId = s.history?.last_run_id;
          return h(
            'tr',
            { 'data-schedule': s.name },
            h(
              'td',
              {},
              h('strong', {}, s.name),
              s.last_spawn_error ? h('div', { class: 'error' }, s.last_spawn_error) : null,
            ),
            h('td', {}, h('code', {}, s.cron_schedule)),
            h(
              'td',
              {},
              h('span', { class: `badge ${s.enabled ? 'state-succeeded' : ''}` }, s.enabled ? 'active' : 'paused'),
            ),
            h('td', { class: 'next-run' }, s.enabled && s.history?.next_run ? formatTime(s.history.next_run) : '—'),
            h(
              'td',
              { class: 'wide-only' },
              s.history?.last_ran ? formatTime(s.history.last_ran) : 'never',
              lastRunId ? [' ', h('a', { href: runHref(lastRunId) }, 'run')] : null,
            ),
            h(
              'td',
              { class: 'actions' },
              h(
                'button',
                {
                  type: 'button',
                  onclick: () => onToggle(s),
                  'aria-label': `${s.enabled ? 'Pause' : 'Resume'} ${s.name}`,
                },
                s.enabled ? 'Pause' : 'Resume',
              ),
              ' ',
              confirmButton('Delete', 'Confirm delete', () => onDelete(s), { 'aria-label': `Delete ${s.name}` }),
            ),
          );
        }),
      ),
    ),
  );
}

export function showSchedules({ main }) {
  const status = statusLine('schedules-status');
  const list = h('div', { id: 'schedules-list' }, h('p', { class: 'muted' }, 'Loading…'));
  let active = true;

  function load() {
    get('/agent/schedules')
      .then(({ schedules }) => active && fill(list, schedulesTable(schedules, { onToggle, onDelete })))
      .catch(
        (err) => active && fill(list, h('p', { class: 'error' }, `Could not load schedules: ${problemText(err)}`)),
      );
  }
  function onToggle(s) {
    const verb = s.enabled ? 'pause' : 'resume';
    post(`/agent/schedules/${encodeURIComponent(s.id)}/${verb}`)
      .then(() => {
        say(status, `${s.enabled ? 'Paused' : 'Resumed'} schedule ${s.name}.`);
        load();
      })
      .catch((err) => say(status, `Could not ${verb} ${s.name}: ${problemText(err)}`, true));
  }
  function onDelete(s) {
    return api('DELETE', `/agent/schedules/${encodeURIComponent(s.id)}`)
      .then(() => {
        say(status, `Deleted schedule ${s.name}.`);
        load();
      })
      .catch((err) => say(status, `Could not delete ${s.name}: ${problemText(err)}`, true));
  }

  fill(
    main,
    h('h1', {}, 'Schedules'),
    createForm((created) => {
      say(status, `Created schedule ${created.name}.`);
      load();
    }),
    status,
    h('section', { 'aria-label': 'Schedules' }, list),
  );
  load();
  return () => {
    active = false;
  };
}
