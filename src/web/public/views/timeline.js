/** The run's states in order, each with how long it lasted (the current one counts up until the run ends). */
import { fill, formatDuration, formatTime, h, stateBadge, TERMINAL_STATES } from '../dom.js';

const timeOfDay = (ms) => new Date(ms).toLocaleTimeString();

export function createTimeline() {
  const list = h('ol', { class: 'timeline', id: 'timeline' });
  const entries = [];

  function render() {
    const now = Date.now();
    fill(
      list,
      entries.map((e, i) => {
        const next = entries[i + 1];
        const end = next ? next.at : TERMINAL_STATES.includes(e.state) ? undefined : now;
        return h(
          'li',
          { 'data-state': e.state },
          stateBadge(e.state),
          h(
            'time',
            { datetime: new Date(e.at).toISOString(), title: formatTime(new Date(e.at).toISOString()) },
            timeOfDay(e.at),
          ),
          end === undefined ? null : h('span', { class: 'duration' }, formatDuration(end - e.at)),
          e.detail ? h('span', { class: 'muted' }, e.detail) : null,
        );
      }),
    );
  }

  return {
    element: list,
    /** A `state_changed` event from the run's stream. */
    add(event) {
      const data = event.data ?? {};
      const detail = [data.execution > 1 ? `execution ${data.execution}` : '', data.message ?? data.reason ?? '']
        .filter(Boolean)
        .join(' · ');
      entries.push({ state: data.state, at: Date.parse(event.created_at), detail });
      render();
    },
    /** Re-renders so the running state's duration counts up. */
    tick: render,
  };
}
