/**
 * Environments: the list, and a form to create one or edit one (PUT: the whole environment), and delete. Variables
 * here are non-secret (they are shown); secrets live on the Secrets page.
 */
import { api, get, post } from '../api.js';
import { fill, formatTime, h } from '../dom.js';
import { confirmButton, field, linesOf, problemText, say, statusLine } from './forms.js';

/** `KEY=value` lines ↔ the env object. */
function envOf(text) {
  const env = {};
  for (const line of linesOf(text)) {
    const at = line.indexOf('=');
    if (at <= 0) throw new Error(`Variables: "${line}" is not NAME=value`);
    env[line.slice(0, at).trim()] = line.slice(at + 1);
  }
  return env;
}

/** `url [ref]` lines ↔ repositories. */
function repositoriesOf(text) {
  return linesOf(text).map((line) => {
    const [url, ref] = line.split(/\s+/, 2);
    return ref ? { url, ref } : url;
  });
}

function environmentForm({ environment, onSaved, onCancel }) {
  const editing = environment !== undefined;
  const name = h('input', { id: 'env-name', name: 'name', required: true, maxlength: '100', autocomplete: 'off' });
  const description = h('input', { id: 'env-description', name: 'description', maxlength: '240' });
  const image = h('input', { id: 'env-image', name: 'docker_image', required: true, placeholder: 'node:22-bookworm' });
  const repositories = h('textarea', { id: 'env-repos', name: 'repositories', rows: '2' });
  const setup = h('textarea', { id: 'env-setup', name: 'setup_commands', rows: '3' });
  const vars = h('textarea', { id: 'env-vars', name: 'env', rows: '2' });
  const scope = h(
    'select',
    { id: 'env-scope', name: 'scope', disabled: editing },
    h('option', { value: 'Team' }, 'Team (shared)'),
    h('option', { value: 'User' }, 'Personal'),
  );
  const status = statusLine('env-form-status');
  const save = h('button', { type: 'submit', id: 'env-save' }, editing ? 'Save changes' : 'Create environment');
  if (editing) {
    name.value = environment.name;
    description.value = environment.description ?? '';
    image.value = environment.docker_image;
    repositories.value = environment.repositories.map((r) => (r.ref ? `${r.url} ${r.ref}` : r.url)).join('\n');
    setup.value = environment.setup_commands.join('\n');
    vars.value = Object.entries(environment.env)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    scope.value = environment.scope?.type ?? 'Team';
  }
  const form = h(
    'form',
    { class: 'card', id: 'environment-form', 'aria-labelledby': 'env-form-title' },
    h('h2', { id: 'env-form-title' }, editing ? `Edit ${environment.name}` : 'New environment'),
    h('div', { class: 'row' }, field('env-name', 'Name', name), field('env-image', 'Docker image', image)),
    field('env-description', 'Description (optional)', description),
    field(
      'env-repos',
      'Repositories',
      repositories,
      'One per line: owner/repo or a git URL, optionally a ref after a space',
    ),
    field('env-setup', 'Setup commands', setup, 'One per line, run in order after cloning'),
    field('env-vars', 'Variables', vars, 'NAME=value per line; not secret (use Secrets for those)'),
    editing ? null : field('env-scope', 'Visible to', scope),
    status,
    h(
      'p',
      { class: 'actions' },
      save,
      ' ',
      editing ? h('button', { type: 'button', class: 'link-button', onclick: onCancel }, 'Cancel') : null,
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    let body;
    try {
      body = {
        name: name.value.trim(),
        docker_image: image.value.trim(),
        repositories: repositoriesOf(repositories.value),
        setup_commands: linesOf(setup.value),
        env: envOf(vars.value),
        ...(description.value.trim() ? { description: description.value.trim() } : {}),
        ...(editing ? {} : { scope: scope.value }),
      };
    } catch (err) {
      say(status, problemText(err), true);
      return;
    }
    save.disabled = true;
    say(status, 'Saving…');
    const request = editing
      ? api('PUT', `/environments/${encodeURIComponent(environment.id)}`, body)
      : post('/environments', body);
    request
      .then((saved) => onSaved(saved, editing))
      .catch((err) => say(status, `Could not save: ${problemText(err)}`, true))
      .finally(() => (save.disabled = false));
  });
  return form;
}

function environmentsTable(environments, { onEdit, onDelete }) {
  if (environments.length === 0) return h('p', { class: 'muted' }, 'No environments yet.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id: 'environments-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Name', 'Image', 'Repositories', 'Setup', 'Updated', 'Actions'].map((t, i) =>
            h('th', { scope: 'col', class: i === 2 || i === 4 ? 'wide-only' : undefined }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        environments.map((env) =>
          h(
            'tr',
            { 'data-environment': env.name },
            h(
              'td',
              {},
              h('strong', {}, env.name),
              env.scope?.type === 'User' ? h('span', { class: 'badge' }, 'personal') : null,
              env.description ? h('div', { class: 'muted' }, env.description) : null,
            ),
            h('td', {}, h('code', {}, env.docker_image)),
            h(
              'td',
              { class: 'wide-only' },
              env.repositories.map((r) => h('div', {}, r.ref ? `${r.url} @ ${r.ref}` : r.url)),
            ),
            h(
              'td',
              {},
              env.setup_failed
                ? h('span', { class: 'badge state-failed' }, 'setup failed')
                : `${env.setup_commands.length} commands`,
            ),
            h('td', { class: 'wide-only' }, formatTime(env.updated_at)),
            h(
              'td',
              { class: 'actions' },
              h('button', { type: 'button', onclick: () => onEdit(env), 'aria-label': `Edit ${env.name}` }, 'Edit'),
              ' ',
              confirmButton('Delete', 'Confirm delete', () => onDelete(env), { 'aria-label': `Delete ${env.name}` }),
            ),
          ),
        ),
      ),
    ),
  );
}

export function showEnvironments({ main }) {
  const status = statusLine('environments-status');
  const formSlot = h('div');
  const list = h('div', { id: 'environments-list' }, h('p', { class: 'muted' }, 'Loading…'));
  fill(main, h('h1', {}, 'Environments'), formSlot, status, h('section', { 'aria-label': 'Environments' }, list));
  let active = true;

  function showCreateForm() {
    fill(formSlot, environmentForm({ onSaved }));
  }

  function onSaved(saved, edited) {
    say(status, `${edited ? 'Saved' : 'Created'} environment ${saved.name}.`);
    showCreateForm();
    load();
  }

  function onEdit(env) {
    fill(formSlot, environmentForm({ environment: env, onSaved, onCancel: showCreateForm }));
    formSlot.querySelector('input')?.focus();
  }

  function onDelete(env) {
    return api('DELETE', `/environments/${encodeURIComponent(env.id)}`)
      .then(() => {
        say(status, `Deleted environment ${env.name}.`);
        load();
      })
      .catch((err) => say(status, `Could not delete ${env.name}: ${problemText(err)}`, true));
  }

  function load() {
    get('/environments?limit=200')
      .then(({ environments }) => active && fill(list, environmentsTable(environments, { onEdit, onDelete })))
      .catch(
        (err) => active && fill(list, h('p', { class: 'error' }, `Could not load environments: ${problemText(err)}`)),
      );
  }

  showCreateForm();
  load();
  return () => {
    active = false;
  };
}
