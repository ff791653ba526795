/** Environments, read-only: what a run can be started in. */
import { get } from '../api.js';
import { fill, formatTime, h } from '../dom.js';

export function showEnvironments({ main }) {
  const status = h('p', { role: 'status' }, 'Loading…');
  fill(main, h('h1', {}, 'Environments'), status);
  let active = true;
  get('/environments')
    .then(({ environments }) => {
      if (!active) return;
      if (environments.length === 0) {
        status.textContent = 'No environments yet. Create one with `ambit environment create`.';
        return;
      }
      status.remove();
      main.append(
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Name', 'Image', 'Repositories', 'Setup', 'Updated'].map((t) => h('th', {}, t)),
              ),
            ),
            h(
              'tbody',
              {},
              environments.map((env) =>
                h(
                  'tr',
                  {},
                  h(
                    'td',
                    {},
                    h('strong', {}, env.name),
                    env.description ? h('div', { class: 'muted' }, env.description) : null,
                  ),
                  h('td', {}, h('code', {}, env.docker_image)),
                  h(
                    'td',
                    {},
                    env.repositories.map((r) => h('div', {}, r.ref ? `${r.url} @ ${r.ref}` : r.url)),
                  ),
                  h(
                    'td',
                    {},
                    env.setup_failed
                      ? h('span', { class: 'badge state-failed' }, 'failed')
                      : `${env.setup_commands.length} commands`,
                  ),
                  h('td', {}, formatTime(env.updated_at)),
                ),
              ),
            ),
          ),
        ),
      );
    })
    .catch((err) => {
      status.textContent = `Could not load environments: ${err.message}`;
    });
  return () => {
    active = false;
  };
}
