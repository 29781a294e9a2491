import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** One Server-Sent Event, its data parsed as JSON. */
export interface ServerEvent {
  event: string;
  data: unknown;
}

/** The events of a `text/event-stream` body, as they arrive, until the server ends it. */
export async function* readServerEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const pending: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => pending.push(message) });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      while (pending.length > 0) {
        const message = pending.shift()!;
        yield { event: message.event ?? 'message', data: JSON.parse(message.data) };
      }
    }
  } finally {
    // A consumer that stops early (it has its answer) closes the connection.
    await reader.cancel().catch(() => undefined);
  }
}
