/* global setTimeout, clearTimeout */
/** Small pieces the management pages share: labelled fields, a status line, and a two-step delete button. */
import { h } from '../dom.js';

/** A label, its control and an optional hint, tied together for screen readers. */
export function field(id, label, control, hint) {
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field grow' },
    h('label', { for: id }, label),
    control,
    hint ? h('small', { id: hintId, class: 'muted' }, hint) : null,
  );
}

/** A status line that screen readers announce. */
export function statusLine(id) {
  return h('p', { role: 'status', id, class: 'muted' });
}

/**
 * A button that asks before it acts: the first press turns it into "Confirm …" for a few seconds, the second
 * press runs `action`. Works from the keyboard like any button, and needs no dialog.
 */
export function confirmButton(label, confirmLabel, action, attrs = {}) {
  const button = h('button', { type: 'button', class: 'danger', ...attrs }, label);
  let armed = false;
  let timer;
  const disarm = () => {
    armed = false;
    button.textContent = label;
  };
  button.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmLabel;
      timer = setTimeout(disarm, 5000);
      return;
    }
    clearTimeout(timer);
    disarm();
    button.disabled = true;
    Promise.resolve(action()).finally(() => (button.disabled = false));
  });
  return button;
}

/** Sets a status line's text; a problem shows as an error. */
export function say(el, text, problem = false) {
  el.textContent = text;
  el.classList.toggle('error', problem);
  el.classList.toggle('muted', !problem);
}

/** Lines of a textarea, trimmed, without blank ones. */
export function linesOf(text) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** The problem detail of a failed call, for a status line. */
export function problemText(err) {
  return err?.message ?? String(err);
}
