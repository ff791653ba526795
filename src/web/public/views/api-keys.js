/* global navigator */
/**
 * API keys: the list (never the secrets), a form to create one whose key is shown once right after, and expire.
 * The new key is shown in a read-only field to copy; it is not kept anywhere by the page once it is left.
 */
import { get, post } from '../api.js';
import { fill, formatTime, h } from '../dom.js';
import { confirmButton, field, problemText, say, statusLine } from './forms.js';

const EXPIRIES = [
  ['1d', '1 day'],
  ['30d', '30 days'],
  ['90d', '90 days'],
];

function createForm(onCreated) {
  const name = h('input', { id: 'key-name', name: 'name', required: true, maxlength: '200', autocomplete: 'off' });
  const scope = h(
    'select',
    { id: 'key-scope', name: 'scope' },
    h('option', { value: 'personal' }, 'Personal (acts as you)'),
    h('option', { value: 'team' }, 'Team (admins only; acts as an admin)'),
  );
  const expiry = h(
    'select',
    { id: 'key-expiry', name: 'expires_in' },
    EXPIRIES.map(([value, label]) => h('option', { value, selected: value === '90d' }, label)),
  );
  const status = statusLine('key-form-status');
  const button = h('button', { type: 'submit', id: 'key-create' }, 'Create key');
  const form = h(
    'form',
    { class: 'card', id: 'api-key-form', 'aria-labelledby': 'key-form-title' },
    h('h2', { id: 'key-form-title' }, 'New API key'),
    h(
      'div',
      { class: 'row' },
      field('key-name', 'Name', name, 'e.g. laptop or CI'),
      field('key-scope', 'Kind', scope),
      field('key-expiry', 'Expires in', expiry),
    ),
    status,
    button,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    say(status, 'Creating…');
    post('/api-keys', { name: name.value.trim(), scope: scope.value, expires_in: expiry.value })
      .then((created) => {
        name.value = '';
        say(status, '');
        onCreated(created);
      })
      .catch((err) => say(status, `Could not create the key: ${problemText(err)}`, true))
      .finally(() => (button.disabled = false));
  });
  return form;
}

/** The new key, shown once, in a field the user can select and copy. */
function newKeyBox(created, onDismiss) {
  const value = h('input', { id: 'new-key-value', readonly: true, value: created.key, 'aria-label': 'The new key' });
  const copy = h('button', { type: 'button', id: 'new-key-copy' }, 'Copy');
  const copied = statusLine('new-key-copied');
  copy.addEventListener('click', () => {
    value.select();
    navigator.clipboard
      ?.writeText(created.key)
      .then(() => (copied.textContent = 'Copied.'))
      .catch(() => (copied.textContent = 'Select the key and copy it.'));
  });
  const box = h(
    'section',
    { class: 'card notice', id: 'new-key', 'aria-labelledby': 'new-key-title' },
    h('h2', { id: 'new-key-title' }, `Key ${created.name} created`),
    h('p', {}, 'Copy it now: this is the only time it is shown.'),
    h('div', { class: 'row' }, value, copy),
    copied,
    h('button', { type: 'button', class: 'link-button', id: 'new-key-done', onclick: onDismiss }, 'Done'),
  );
  return box;
}

function keysTable(keys, onExpire) {
  if (keys.length === 0) return h('p', { class: 'muted' }, 'No API keys.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { id: 'api-keys-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Name', 'Key', 'Kind', 'State', 'Expires', 'Last used', 'Actions'].map((t, i) =>
            h('th', { scope: 'col', class: i === 4 || i === 5 ? 'wide-only' : undefined }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        keys.map((k) =>
          h(
            'tr',
            { 'data-key': k.name },
            h('td', {}, h('strong', {}, k.name), k.user ? h('div', { class: 'muted' }, k.user.display_name) : null),
            h('td', {}, h('code', {}, `${k.prefix}…`)),
            h('td', {}, k.scope),
            h('td', {}, h('span', { class: `badge key-${k.state}` }, k.state)),
            h('td', { class: 'wide-only' }, k.expires_at ? formatTime(k.expires_at) : 'never'),
            h('td', { class: 'wide-only' }, k.last_used_at ? formatTime(k.last_used_at) : 'never'),
            h(
              'td',
              { class: 'actions' },
              k.state === 'active'
                ? confirmButton('Expire', 'Confirm expire', () => onExpire(k), { 'aria-label': `Expire ${k.name}` })
                : null,
            ),
          ),
        ),
      ),
    ),
  );
}

export function showApiKeys({ main }) {
  const status = statusLine('api-keys-status');
  const created = h('div');
  const list = h('div', { id: 'api-keys-list' }, h('p', { class: 'muted' }, 'Loading…'));
  let active = true;

  function load() {
    get('/api-keys')
      .then(({ api_keys }) => active && fill(list, keysTable(api_keys, onExpire)))
      .catch((err) => active && fill(list, h('p', { class: 'error' }, `Could not load API keys: ${problemText(err)}`)));
  }

  function onExpire(k) {
    return post(`/api-keys/${encodeURIComponent(k.id)}/expire`)
      .then(() => {
        say(status, `Expired key ${k.name}.`);
        load();
      })
      .catch((err) => say(status, `Could not expire ${k.name}: ${problemText(err)}`, true));
  }

  function onCreated(key) {
    fill(
      created,
      newKeyBox(key, () => fill(created)),
    );
    created.querySelector('#new-key-value')?.focus();
    load();
  }

  fill(
    main,
    h('h1', {}, 'API keys'),
    created,
    createForm(onCreated),
    status,
    h('section', { 'aria-label': 'API keys' }, list),
  );
  load();
  return () => {
    active = false;
    fill(created);
  };
}
