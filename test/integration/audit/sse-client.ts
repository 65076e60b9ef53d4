/** A minimal Server-Sent Events reader over fetch, for tests. */
export interface SseEvent {
  id: string | undefined;
  data: string;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  ended = false;
  readonly #abort = new AbortController();

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const client = new SseClient();
    const res = await fetch(url, { headers, signal: client.#abort.signal });
    client.status = res.status;
    if (res.ok && res.body) void client.#read(res.body);
    else client.ended = true;
    return client;
  }

  async waitForEvents(count: number, timeoutMs = 5000): Promise<SseEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`got ${this.events.length} of ${count} events`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.events;
  }

  close(): void {
    this.#abort.abort();
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let text = "";
    try {
      for await (const chunk of body) {
        text += decoder.decode(chunk, { stream: true });
        let end = text.indexOf("\n\n");
        while (end >= 0) {
          this.#parse(text.slice(0, end));
          text = text.slice(end + 2);
          end = text.indexOf("\n\n");
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
  }

  #parse(block: string): void {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length > 0) this.events.push({ id, data: data.join("\n") });
  }
}
