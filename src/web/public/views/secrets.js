/**
 * Secrets: names and metadata only. A value goes in through a password field (create, or replace) and is never
 * shown, fetched or kept by the page: the API has no way to read it back.
 */
import { api, get, post } from '../api.js';
import { fill, formatTime, h } from '../dom.js';
import { confirmButton, field, problemText, say, statusLine } from './forms.js';

function valueInput(id) {
  return h('input', { id, name: 'value', type: 'password', autocomplete: 'new-password', spellcheck: 'false' });
}

function createForm(onSaved) {
  const name = h('input', {
    id: 'secret-name',
    name: 'name',
    required: true,
    autocomplete: 'off',
    pattern: '[A-Za-z_][A-Za-z0-9_]*',
    placeholder: 'GITHUB_TOKEN',
  });
  const value = valueInput('secret-value');
  value.required = true;
  const description = h('input', { id: 'secret-description', name: 'description', maxlength: '240' });
  const scope = h(
    'select',
    { id: 'secret-scope', name: 'scope' },
    h('option', { value: 'Team' }, 'Team (admins only; every team run)'),
    h('option', { value: 'User' }, 'Personal (runs you start)'),
  );
  const status = statusLine('secret-form-status');
  const button = h('button', { type: 'submit', id: 'secret-create' }, 'Create secret');
  const form = h(
    'form',
    { class: 'card', id: 'secret-form', 'aria-labelledby': 'secret-form-title' },
    h('h2', { id: 'secret-form-title' }, 'New secret'),
    h(
      'div',
      { class: 'row' },
      field('secret-name', 'Name', name, 'The environment variable runs see'),
      field('secret-value', 'Value', value, 'Write-only: it is never shown again'),
    ),
    h(
      'div',
      { class: 'row' },
      field('secret-description', 'Description (optional)', description),
      field('secret-scope', 'Scope', scope),
    ),
    status,
    button,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    say(status, 'Saving…');
    const body = {
      name: name.value.trim(),
      value: value.value,
      scope: scope.value,
      ...(description.value.trim() ? { description: description.value.trim() } : {}),
    };
    // The value leaves the form as soon as it is sent.
    value.value = '';
    post('/secrets', body)
      .then((item) => {
        name.value = '';
        description.value = '';
        say(status, '');
        onSaved(`Created secret ${item.name}.`);
      })
      .catch((err) => say(status, `Could not create the secret: ${problemText(err)}`, true))
      .finally(() => (button.disabled = false));
  });
  return form;
}

/** Replace the value (and/or description) of one secret. */
function updateForm(secret, onSaved, onCancel) {
  const value = valueInput('secret-new-value');
  const description = h('input', { id: 'secret-new-description', name: 'description', maxlength: '240' });
  description.value = secret.description ?? '';
  const status = statusLine('secret-update-status');
  const button = h('button', { type: 'submit', id: 'secret-update' }, 'Save');
  const form = h(
    'form',
    { class: 'card', id: 'secret-update-form', 'aria-labelledby': 'secret-update-title' },
    h('h2', { id: 'secret-update-title' }, `Update ${secret.name}`),
    h(
      'div',
      { class: 'row' },
      field('secret-new-value', 'New value', value, 'Leave empty to keep the current value'),
      field('secret-new-description', 'Description', description),
    ),
    status,
    h(
      'p',
      { class: 'actions' },
      button,
      ' ',
      h('button', { type: 'button', class: 'link-button', onclick: onCancel }, 'Cancel'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const body = {};
    if (value.value) body.value = value.value;
    const d = description.value.trim();
    if (d !== (secret.description ?? '')) body.description = d ? d : null;
    if (Object.keys(body).length === 0) {
      say(status, 'Nothing changed.');
      return;
    }
    value.value = '';
    button.disabled = true;
    api('PATCH', `/secrets/${encodeURIComponent(secret.id)}`, body)
      .then((item) => onSaved(`Updated secret ${item.name}.`))
      .catch((err) => say(status, `Could not update: ${problemText(err)}`, true))
      .finally(() => (button.disabled = false));
  });
  return form;
}

function secretsTable(secrets, { onUpdate, onDelete }) {
  if (secrets.length === 0) return h('p', { class: 'muted' }, 'No secrets yet.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id: 'secrets-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Name', 'Scope', 'Updated', 'Last used', 'Actions'].map((t, i) =>
            h('th', { scope: 'col', class: i === 2 || i === 3 ? 'wide-only' : undefined }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        secrets.map((s) =>
          h(
            'tr',
            { 'data-secret': s.name },
            h('td', {}, h('code', {}, s.name), s.description ? h('div', { class: 'muted' }, s.description) : null),
            h('td', {}, s.scope.type === 'User' ? 'personal' : 'team'),
            h('td', { class: 'wide-only' }, formatTime(s.updated_at)),
            h('td', { class: 'wide-only' }, s.last_used_at ? formatTime(s.last_used_at) : 'never'),
            h(
              'td',
              { class: 'actions' },
              h('button', { type: 'button', onclick: () => onUpdate(s), 'aria-label': `Update ${s.name}` }, 'Update'),
              ' ',
              confirmButton('Delete', 'Confirm delete', () => onDelete(s), { 'aria-label': `Delete ${s.name}` }),
            ),
          ),
        ),
      ),
    ),
  );
}

export function showSecrets({ main }) {
  const status = statusLine('secrets-status');
  const formSlot = h('div');
  const list = h('div', { id: 'secrets-list' }, h('p', { class: 'muted' }, 'Loading…'));
  let active = true;

  function onSaved(message) {
    say(status, message);
    fill(formSlot, createForm(onSaved));
    load();
  }
  function onUpdate(secret) {
    fill(
      formSlot,
      updateForm(secret, onSaved, () => fill(formSlot, createForm(onSaved))),
    );
    formSlot.querySelector('input')?.focus();
  }
  function onDelete(secret) {
    return api('DELETE', `/secrets/${encodeURIComponent(secret.id)}`)
      .then(() => {
        say(status, `Deleted secret ${secret.name}.`);
        load();
      })
      .catch((err) => say(status, `Could not delete ${secret.name}: ${problemText(err)}`, true));
  }
  function load() {
    get('/secrets')
      .then(({ secrets }) => active && fill(list, secretsTable(secrets, { onUpdate, onDelete })))
      .catch((err) => active && fill(list, h('p', { class: 'error' }, `Could not load secrets: ${problemText(err)}`)));
  }

  fill(
    main,
    h('h1', {}, 'Secrets'),
    h('p', { class: 'muted' }, 'Values are write-only: this page shows names and metadata, never a value.'),
    formSlot,
    status,
    h('section', { 'aria-label': 'Secrets' }, list),
  );
  fill(formSlot, createForm(onSaved));
  load();
  return () => {
    active = false;
  };
}
