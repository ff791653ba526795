/** One Server-Sent Event as the spec frames it (comments and retry hints are dropped). */
export interface SseMessage {
  id?: string;
  event: string;
  data: string;
}

/** Splits an SSE byte stream into events, per the WHATWG framing (CRLF, LF or CR line ends; multi-line data). */
export async function* parseSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let current: { id?: string; event?: string; data: string[] } = { data: [] };
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '') {
          if (current.data.length > 0 || current.event !== undefined) {
            yield {
              ...(current.id !== undefined ? { id: current.id } : {}),
              event: current.event ?? 'message',
              data: current.data.join('\n'),
            };
          }
          current = { data: [] };
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') current.data.push(value);
        else if (field === 'event') current.event = value;
        else if (field === 'id') current.id = value;
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}
