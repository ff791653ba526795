import { type ConversationResponse, type ConversationStep } from '../client';
import { type Output, truncate } from './output';

/** One printable thing from a conversation, with a key that stays the same across polls. */
export type TranscriptEntry =
  | { key: string; type: 'text'; role: string; text: string }
  | { key: string; type: 'action'; id: string; name: string; category: string; input: Record<string, unknown> }
  | {
      key: string;
      type: 'action_result';
      action_id: string;
      name: string;
      category: string;
      state: string;
      output: Record<string, unknown>;
    }
  | { key: string; type: 'event'; name: string; data: Record<string, unknown> };

/**
 * Flattens the steps (depth first) into entries. Keys use the ids the API gives (action ids, message ids) and
 * positions only where it gives none, so a later poll of a longer conversation yields the same keys for old entries.
 * A result still `running` is left out: it is printed once it has an outcome.
 */
export function flattenConversation(conversation: ConversationResponse): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  const walk = (step: ConversationStep): void => {
    step.messages.forEach((message, m) => {
      const messageKey = `${step.id}:${message.message_ids?.[0] ?? `#${m}`}`;
      message.content.forEach((block, b) => {
        const key = `${messageKey}:${b}`;
        switch (block.type) {
          case 'text':
            if (block.text.trim()) entries.push({ key, type: 'text', role: message.role, text: block.text });
            break;
          case 'action':
            entries.push({
              key: `action:${block.id}`,
              type: 'action',
              id: block.id,
              name: block.name,
              category: block.category,
              input: block.input,
            });
            break;
          case 'action_result':
            if (block.state === 'running') break;
            entries.push({
              key: `result:${block.action_id}:${block.state}`,
              type: 'action_result',
              action_id: block.action_id,
              name: block.name,
              category: block.category,
              state: block.state,
              output: block.output,
            });
            break;
          case 'event':
            entries.push({ key, type: 'event', name: block.name, data: block.data });
            break;
        }
      });
    });
    step.steps.forEach(walk);
  };
  conversation.steps.forEach(walk);
  return entries;
}

/** Human form of an entry: assistant text as is, `→ name input` for a tool call, `✓ name` / `✗ name` for results. */
export function renderEntry(entry: TranscriptEntry, out: Output, opts: { full: boolean }): string | undefined {
  switch (entry.type) {
    case 'text':
      if (entry.role === 'assistant') return entry.text.trimEnd();
      if (entry.role === 'user' && opts.full) return out.paint('bold', `» ${entry.text.trimEnd()}`);
      return undefined;
    case 'action': {
      const input = Object.keys(entry.input).length > 0 ? ` ${truncate(JSON.stringify(entry.input), 160)}` : '';
      return `${out.paint('cyan', '→')} ${entry.name}${out.paint('dim', input)}`;
    }
    case 'action_result':
      return entry.state === 'completed'
        ? `${out.paint('green', '✓')} ${entry.name}`
        : `${out.paint('red', '✗')} ${entry.name} ${out.paint('dim', `(${entry.state})`)}`;
    case 'event':
      return opts.full ? out.paint('dim', `· ${entry.name}`) : undefined;
  }
}
