/**
 * Maps a run's stored transcript (AI SDK ModelMessages, one row each, grouped by agent turn) to the contract's
 * normalized conversation: one step per turn, messages of text, action and action_result blocks.
 */
import type { Principal } from '../db/api-keys';
import {
  ACTION_CATEGORIES,
  type ActionCategory,
  type ActionState,
  type ConversationContentBlock,
  type ConversationMessage,
  type ConversationResponse,
  type ConversationStep,
} from '../domain';
import type { ServiceDeps } from './deps';
import { findVisibleRun } from './run-access';

type JsonObject = Record<string, unknown>;

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown, fallback: string): string {
  return typeof v === 'string' && v !== '' ? v : fallback;
}

const ROLES = ['user', 'assistant', 'tool', 'system'] as const;
type Role = (typeof ROLES)[number];

export interface StoredMessage {
  id: bigint | string;
  turn: number;
  role: string;
  content: unknown;
  createdAt: Date;
}

export interface StoredToolCall {
  id: string;
  name: string;
  category: string;
  state: string;
}

function category(call: StoredToolCall | undefined): ActionCategory {
  const c = call?.category;
  // Tools without a recorded call are most often MCP tools, which the contract files under integrations.
  return c !== undefined && (ACTION_CATEGORIES as readonly string[]).includes(c)
    ? (c as ActionCategory)
    : 'integration';
}

/** The AI SDK's tool-result `output` ({type, value}) as the contract's free-form output object. */
function resultOutput(output: unknown): { output: JsonObject; failed: boolean; denied: boolean } {
  if (!isObject(output)) return { output: { value: output ?? null }, failed: false, denied: false };
  const value = output['value'];
  switch (output['type']) {
    case 'text':
      return { output: { text: value }, failed: false, denied: false };
    case 'json':
      return { output: isObject(value) ? value : { value }, failed: false, denied: false };
    case 'error-text':
    case 'error-json':
      return { output: { error: value }, failed: true, denied: false };
    case 'execution-denied':
      return { output: { reason: output['reason'] ?? null }, failed: false, denied: true };
    case 'content':
      return { output: { content: value }, failed: false, denied: false };
    default:
      return { output, failed: false, denied: false };
  }
}

function resultState(call: StoredToolCall | undefined, failed: boolean, denied: boolean): ActionState {
  if (denied || call?.state === 'denied') return 'denied';
  if (failed || call?.state === 'failed') return 'failed';
  return 'completed';
}

function contentBlocks(message: StoredMessage, calls: Map<string, StoredToolCall>): ConversationContentBlock[] {
  const messageId = String(message.id);
  if (typeof message.content === 'string') return [{ type: 'text', message_id: messageId, text: message.content }];
  if (!Array.isArray(message.content)) return [];
  const blocks: ConversationContentBlock[] = [];
  for (const part of message.content as unknown[]) {
    if (!isObject(part)) continue;
    switch (part['type']) {
      case 'text':
        if (typeof part['text'] === 'string') blocks.push({ type: 'text', message_id: messageId, text: part['text'] });
        break;
      case 'tool-call': {
        const id = str(part['toolCallId'], 'unknown');
        const call = calls.get(id);
        const input = part['input'];
        blocks.push({
          type: 'action',
          message_id: messageId,
          id,
          category: category(call),
          name: str(part['toolName'], call?.name ?? 'unknown'),
          input: isObject(input) ? input : { value: input ?? null },
        });
        break;
      }
      case 'tool-result': {
        const id = str(part['toolCallId'], 'unknown');
        const call = calls.get(id);
        const { output, failed, denied } = resultOutput(part['output']);
        blocks.push({
          type: 'action_result',
          message_id: messageId,
          action_id: id,
          category: category(call),
          name: str(part['toolName'], call?.name ?? 'unknown'),
          state: resultState(call, failed, denied),
          output,
        });
        break;
      }
      case 'file':
      case 'image': {
        const mediaType = part['mediaType'] ?? part['mimeType'];
        blocks.push({
          type: 'event',
          message_id: messageId,
          name: 'attachment',
          data: {
            ...(typeof mediaType === 'string' ? { media_type: mediaType } : {}),
            ...(typeof part['filename'] === 'string' ? { filename: part['filename'] } : {}),
          },
        });
        break;
      }
      default:
        // Reasoning and provider-internal parts are not part of the public conversation.
        break;
    }
  }
  return blocks;
}

/** Pure mapping, exported for unit tests. Messages must be ordered by seq. */
export function toConversation(
  conversationId: string,
  messages: readonly StoredMessage[],
  toolCalls: readonly StoredToolCall[],
): ConversationResponse {
  const calls = new Map(toolCalls.map((c) => [c.id, c]));
  const steps = new Map<number, ConversationStep>();
  for (const m of messages) {
    if (!(ROLES as readonly string[]).includes(m.role)) continue;
    let current = steps.get(m.turn);
    if (current === undefined) {
      current = { id: `turn-${m.turn}`, messages: [], steps: [] };
      steps.set(m.turn, current);
    }
    const at = m.createdAt.toISOString();
    current.started_at ??= at;
    current.completed_at = at;
    const message: ConversationMessage = {
      message_ids: [String(m.id)],
      role: m.role as Role,
      timestamp: at,
      content: contentBlocks(m, calls),
    };
    current.messages.push(message);
  }
  return { conversation_id: conversationId, steps: [...steps.values()] };
}

export async function getConversation(
  deps: Pick<ServiceDeps, 'db'>,
  input: { principal: Principal; runId: string },
): Promise<ConversationResponse> {
  const run = await findVisibleRun(deps.db, input.principal, input.runId);
  const [messages, toolCalls] = await Promise.all([
    deps.db.runMessage.findMany({ where: { runId: run.id }, orderBy: { seq: 'asc' } }),
    deps.db.toolCall.findMany({
      where: { runId: run.id },
      select: { id: true, name: true, category: true, state: true },
    }),
  ]);
  return toConversation(run.conversationId, messages, toolCalls);
}
