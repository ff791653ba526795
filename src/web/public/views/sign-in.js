/** Sign in with an API key; the server keeps it in an HttpOnly cookie, so this page forgets it at once. */
import { post } from '../api.js';
import { fill, h } from '../dom.js';

export function showSignIn(main, { onSignedIn }) {
  const error = h('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
  const input = h('input', {
    id: 'api-key',
    name: 'api_key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    'aria-describedby': 'sign-in-error',
  });
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    h('p', {}, 'Use an Ambit API key (ambit_…). It is kept in a secure cookie, not in the page.'),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    error,
    button,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = '';
    post('/session', { api_key: input.value })
      .then(() => {
        input.value = '';
        return onSignedIn();
      })
      .catch((err) => {
        error.textContent = err.status === 401 ? 'That API key is unknown, revoked or expired.' : err.message;
        input.focus();
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  fill(main, form);
  input.focus();
  return () => {};
}
