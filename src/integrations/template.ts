/**
 * `{{path.to.field}}` substitution over a JSON payload: no logic, no escaping rules to learn. A missing field renders
 * empty; objects and arrays render as JSON; `items.0.name` indexes arrays.
 */
const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_$-]+(?:\.[a-zA-Z0-9_$-]+)*)\s*\}\}/g;

export function lookupPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

export function renderTemplate(template: string, payload: unknown): string {
  return template.replace(PLACEHOLDER, (_match, path: string) => {
    const v = lookupPath(payload, path);
    if (v === undefined || v === null) return '';
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return JSON.stringify(v) ?? '';
  });
}
