/* global EventSource, setInterval, clearInterval, setTimeout, clearTimeout */
/**
 * One run, live: its summary from the API, and its timeline and transcript from the run's SSE stream (the session
 * cookie authenticates it; EventSource cannot send headers). The stream ends when the run does; a follow-up that
 * restarts the run reopens it after the last event seen.
 */
import { API, get, post } from '../api.js';
import { fill, formatTime, h, json, stateBadge, TERMINAL_STATES } from '../dom.js';
import { createTimeline } from './timeline.js';
import { createTranscript } from './transcript.js';

const STREAM_EVENT_TYPES = [
  'state_changed',
  'message',
  'tool_call',
  'tool_result',
  'output',
  'usage',
  'log',
  'approval_requested',
  'approval_decided',
  'interrupted',
];
const REFRESH_DEBOUNCE_MS = 300;

function section(title, id, ...children) {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function temporalLink(uiConfig, runId) {
  if (!uiConfig.temporal_ui_url) return null;
  const ns = encodeURIComponent(uiConfig.temporal_namespace);
  const href = `${uiConfig.temporal_ui_url}/namespaces/${ns}/workflows/${encodeURIComponent(runId)}`;
  return h('a', { href, id: 'temporal-link', target: '_blank', rel: 'noopener noreferrer' }, 'Workflow in Temporal');
}

function artifactItem(a) {
  const d = a.data;
  let label;
  if (a.artifact_type === 'PULL_REQUEST')
    label = h('a', { href: d.url, rel: 'noopener noreferrer' }, `Pull request ${d.branch}`);
  else if (a.artifact_type === 'PLAN') label = d.url ? h('a', { href: d.url }, d.title ?? 'Plan') : (d.title ?? 'Plan');
  else if (a.artifact_type === 'FILE')
    label = `${d.filename} (${d.mime_type}${d.size_bytes ? `, ${d.size_bytes} bytes` : ''})`;
  else label = d.description ?? a.artifact_type;
  return h(
    'li',
    {},
    h('span', { class: 'badge' }, a.artifact_type),
    ' ',
    label,
    d.description && a.artifact_type === 'FILE' ? h('div', { class: 'muted' }, d.description) : null,
  );
}

function usageList(run) {
  const u = run.request_usage ?? {};
  const rows = [
    ['Tokens', u.total_tokens],
    ['Inference cost', u.inference_cost],
    ['Compute cost', u.compute_cost],
    ['Run time', run.run_time],
  ].filter(([, v]) => v !== undefined);
  if (rows.length === 0) return h('p', { class: 'muted' }, 'No usage recorded yet.');
  return h(
    'dl',
    { class: 'pairs', id: 'usage' },
    rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]),
  );
}

export function showRunDetail({ main, uiConfig }, runId) {
  const title = h('h1', {}, runId);
  const state = h('span', { id: 'run-state' });
  const status = h('p', { role: 'status', id: 'run-status', class: 'muted' });
  const cancelButton = h('button', { type: 'button', id: 'cancel-run', class: 'danger', hidden: true }, 'Cancel run');
  const interruptButton = h(
    'button',
    { type: 'button', id: 'interrupt-run', hidden: true, title: 'Stop the current step and wait for instructions' },
    'Interrupt',
  );
  const prompt = h('pre', { class: 'prompt', id: 'run-prompt' });
  const config = h('pre', { id: 'run-config' });
  const artifacts = h('ul', { class: 'artifacts', id: 'artifacts' });
  const usage = h('div');
  const timeline = createTimeline();
  const transcript = createTranscript();
  const followupText = h('textarea', { id: 'followup-text', name: 'message', rows: '3', required: true });
  const followupButton = h('button', { type: 'submit' }, 'Send follow-up');
  const followupStatus = h('p', { role: 'status', id: 'followup-status' });
  const followupForm = h(
    'form',
    { id: 'followup-form' },
    h('label', { for: 'followup-text' }, 'Message to the agent'),
    followupText,
    followupStatus,
    followupButton,
  );

  // Approval gate: shown while the run is BLOCKED on the action its stream last asked about.
  const approvalAction = h('p', { id: 'approval-action' });
  const approvalComment = h('input', { id: 'approval-comment', name: 'comment', type: 'text', maxlength: '10000' });
  const approveButton = h('button', { type: 'button', id: 'approve-action' }, 'Approve');
  const denyButton = h('button', { type: 'button', id: 'deny-action', class: 'danger' }, 'Deny');
  const approvalStatus = h('p', { role: 'status', id: 'approval-status' });
  const approvalBox = h(
    'section',
    { class: 'card', id: 'approval', 'aria-labelledby': 'h-approval', hidden: true },
    h('h2', { id: 'h-approval' }, 'Approval needed'),
    approvalAction,
    h('label', { for: 'approval-comment' }, 'Comment (optional; the agent reads it on a denial)'),
    approvalComment,
    h('p', {}, approveButton, ' ', denyButton),
    approvalStatus,
  );

  fill(
    main,
    h('p', {}, h('a', { href: '#/runs' }, '← All runs')),
    h('div', { class: 'run-head' }, title, state, interruptButton, cancelButton),
    h('p', { class: 'meta' }, h('code', {}, runId), ' ', temporalLink(uiConfig, runId)),
    status,
    approvalBox,
    h(
      'div',
      { class: 'grid' },
      h(
        'div',
        { class: 'col' },
        section('Prompt', 'h-prompt', prompt),
        section('Transcript', 'h-transcript', transcript.element),
        section('Follow-up', 'h-followup', followupForm),
      ),
      h(
        'div',
        { class: 'col side' },
        section('Timeline', 'h-timeline', timeline.element),
        section('Artifacts', 'h-artifacts', artifacts),
        section('Usage', 'h-usage', usage),
        section('Configuration', 'h-config', config),
      ),
    ),
  );

  let active = true;
  let run;
  let source;
  let lastEventId;
  let refreshTimer;
  let currentState;
  let pendingAction;

  function showApproval() {
    approvalBox.hidden = !(pendingAction && currentState === 'BLOCKED');
  }

  function showState(value) {
    currentState = value;
    fill(state, stateBadge(value));
    cancelButton.hidden = TERMINAL_STATES.includes(value);
    // Only a working agent has a step to stop; an interrupted run waits BLOCKED for a follow-up.
    interruptButton.hidden = value !== 'INPROGRESS';
    showApproval();
  }

  function onApprovalEvent(event) {
    const data = event.data ?? {};
    if (event.type === 'approval_requested') {
      pendingAction = data;
      const command = data.input && typeof data.input.command === 'string' ? data.input.command : null;
      fill(
        approvalAction,
        'The agent wants to run ',
        h('code', {}, data.name),
        command ? [': ', h('code', {}, command)] : null,
        ` (${data.reason}).`,
      );
      approvalStatus.textContent = '';
    } else if (pendingAction && data.action_id === pendingAction.action_id) {
      pendingAction = undefined;
    }
    showApproval();
  }

  function decide(decision) {
    if (!pendingAction) return;
    approveButton.disabled = true;
    denyButton.disabled = true;
    const comment = approvalComment.value.trim();
    post(`/agent/runs/${encodeURIComponent(runId)}/approvals`, {
      action_id: pendingAction.action_id,
      decision,
      ...(comment ? { comment } : {}),
    })
      .then((r) => {
        approvalComment.value = '';
        status.textContent = `${r.decision === 'approve' ? 'Approved' : 'Denied'} action ${r.action_id}.`;
        refreshSoon();
      })
      .catch((err) => (approvalStatus.textContent = `Could not ${decision}: ${err.message}`))
      .finally(() => {
        approveButton.disabled = false;
        denyButton.disabled = false;
      });
  }

  function renderRun(r) {
    run = r;
    title.textContent = r.title || r.run_id;
    showState(r.state);
    prompt.textContent = r.prompt;
    config.textContent = json(r.agent_config ?? {});
    fill(
      artifacts,
      (r.artifacts ?? []).length ? r.artifacts.map(artifactItem) : h('li', { class: 'muted' }, 'None yet.'),
    );
    fill(usage, usageList(r));
    status.textContent = r.status_message?.message
      ? `${r.status_message.message}`
      : `Created ${formatTime(r.created_at)}`;
  }

  function refresh() {
    return get(`/agent/runs/${encodeURIComponent(runId)}`)
      .then((r) => active && renderRun(r))
      .catch((err) => active && (status.textContent = `Could not load the run: ${err.message}`));
  }

  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, REFRESH_DEBOUNCE_MS);
  }

  function onEvent(message) {
    const event = JSON.parse(message.data);
    lastEventId = event.id;
    if (event.type === 'state_changed') {
      timeline.add(event);
      // The stream is ahead of the summary, which is fetched again shortly.
      showState(event.data.state);
    }
    if (event.type === 'approval_requested' || event.type === 'approval_decided') onApprovalEvent(event);
    if (event.type === 'interrupted') {
      // An interrupt ends the wait for an approval: the action it asked about was stopped.
      pendingAction = undefined;
      showApproval();
      followupText.focus();
    }
    transcript.add(event);
    if (event.type === 'state_changed' || event.type === 'output' || event.type === 'usage') refreshSoon();
  }

  function openStream() {
    source?.close();
    const after = lastEventId ? `?last_event_id=${encodeURIComponent(lastEventId)}` : '';
    source = new EventSource(`${API}/agent/runs/${encodeURIComponent(runId)}/events${after}`);
    for (const type of STREAM_EVENT_TYPES) source.addEventListener(type, onEvent);
    source.addEventListener('end', () => {
      source.close();
      source = undefined;
      refresh();
    });
    source.addEventListener('error', () => {
      // A closed source is final (e.g. 401/404); otherwise the browser reconnects with Last-Event-ID by itself.
      if (source?.readyState === EventSource.CLOSED) status.textContent = 'The live stream stopped; reload to retry.';
    });
  }

  cancelButton.addEventListener('click', () => {
    cancelButton.disabled = true;
    post(`/agent/runs/${encodeURIComponent(runId)}/cancel`)
      .then(() => {
        status.textContent = 'Cancellation requested.';
        refreshSoon();
      })
      .catch((err) => (status.textContent = `Could not cancel: ${err.message}`))
      .finally(() => (cancelButton.disabled = false));
  });

  interruptButton.addEventListener('click', () => {
    interruptButton.disabled = true;
    post(`/agent/runs/${encodeURIComponent(runId)}/interrupt`)
      .then((r) => {
        status.textContent = `Interrupted at turn ${r.turn}; send a follow-up to tell the agent what to do next.`;
        refreshSoon();
      })
      .catch((err) => (status.textContent = `Could not interrupt: ${err.message}`))
      .finally(() => (interruptButton.disabled = false));
  });

  approveButton.addEventListener('click', () => decide('approve'));
  denyButton.addEventListener('click', () => decide('deny'));

  followupForm.addEventListener('submit', (event) => {
    event.preventDefault();
    followupButton.disabled = true;
    followupStatus.textContent = 'Sending…';
    post(`/agent/runs/${encodeURIComponent(runId)}/followups`, { message: followupText.value })
      .then((r) => {
        followupText.value = '';
        followupStatus.textContent =
          r.delivery === 'delivered'
            ? 'Follow-up delivered: the agent sees it at its next step.'
            : `The run restarted with the follow-up (execution ${r.execution}).`;
        if (!source) openStream();
      })
      .catch((err) => (followupStatus.textContent = `Could not send: ${err.message}`))
      .finally(() => (followupButton.disabled = false));
  });

  const ticker = setInterval(() => {
    if (run && !TERMINAL_STATES.includes(run.state)) timeline.tick();
  }, 1000);
  refresh();
  openStream();

  return () => {
    active = false;
    source?.close();
    clearInterval(ticker);
    clearTimeout(refreshTimer);
  };
}
