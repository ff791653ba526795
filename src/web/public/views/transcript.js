/** The live transcript: messages, tool calls and their results, as the run's events arrive. */
import { h, json } from '../dom.js';

const MAX_OUTPUT_CHARS = 4000;

function clip(text) {
  return text.length > MAX_OUTPUT_CHARS ? `${text.slice(0, MAX_OUTPUT_CHARS)}\n… (${text.length} characters)` : text;
}

export function createTranscript() {
  const list = h('ol', { class: 'transcript', id: 'transcript', 'aria-live': 'polite' });
  const calls = new Map();

  function message(data) {
    return h(
      'li',
      { class: `entry message role-${data.role}` },
      h('div', { class: 'entry-head' }, data.role === 'user' ? (data.followup_id ? 'Follow-up' : 'Prompt') : 'Agent'),
      h('div', { class: 'text' }, data.text),
    );
  }

  function toolCall(data) {
    const result = h('div', { class: 'tool-result muted' }, 'running…');
    calls.set(data.tool_call_id, result);
    return h(
      'li',
      { class: 'entry tool-call', 'data-tool': data.name },
      h('div', { class: 'entry-head' }, 'Tool call ', h('code', {}, data.name)),
      h('details', {}, h('summary', {}, 'Input'), h('pre', {}, json(data.input))),
      result,
    );
  }

  function toolResult(data) {
    const body = [
      h('span', { class: `badge result-${data.state}` }, data.state),
      h('details', {}, h('summary', {}, 'Output'), h('pre', {}, clip(json(data.output)))),
    ];
    const slot = calls.get(data.tool_call_id);
    if (slot) {
      slot.className = 'tool-result';
      slot.replaceChildren(...body);
      return null;
    }
    return h(
      'li',
      { class: 'entry tool-result' },
      h('div', { class: 'entry-head' }, 'Result ', h('code', {}, data.name)),
      body,
    );
  }

  function interrupted(data) {
    return h(
      'li',
      { class: 'entry interrupted' },
      h('div', { class: 'entry-head' }, 'Interrupted'),
      h('div', { class: 'text' }, `Stopped by ${data.by}; the agent waits for instructions.`),
    );
  }

  function log(data) {
    return h('li', { class: 'entry log muted' }, `${data.source ?? 'log'}: ${data.message ?? json(data)}`);
  }

  return {
    element: list,
    /** An event from the run's stream; types that are not part of the transcript are ignored. */
    add(event) {
      const data = event.data ?? {};
      let item = null;
      if (event.type === 'message') item = message(data);
      else if (event.type === 'tool_call') item = toolCall(data);
      else if (event.type === 'tool_result') item = toolResult(data);
      else if (event.type === 'log') item = log(data);
      else if (event.type === 'interrupted') item = interrupted(data);
      if (item) list.append(item);
    },
  };
}
