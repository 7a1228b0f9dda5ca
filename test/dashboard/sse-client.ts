/** A minimal server-sent-events client over node:http, for tests of the monitor's stream. */
import http from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
  /** When it arrived (performance.now()). */
  at: number;
}

export class SseClient {
  readonly events: SseEvent[] = [];
  #req: http.ClientRequest | undefined;
  #waiters = new Set<() => void>();

  /** Connects and resolves once the response headers arrived. */
  async connect(url: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.get(url, { headers: { accept: 'text/event-stream' } }, (res) => {
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let event = 'message';
            const data: string[] = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) event = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            if (data.length > 0) {
              this.events.push({ event, data: data.join('\n'), at: performance.now() });
              for (const w of [...this.#waiters]) w();
            }
          }
        });
        resolve(res);
      });
      req.on('error', reject);
      this.#req = req;
    });
  }

  /** Resolves with the first event (past or future) whose parsed data satisfies `pred`. */
  async waitFor<T>(pred: (data: T) => boolean, timeoutMs = 10_000): Promise<T> {
    const find = (): T | undefined => {
      for (const e of this.events) {
        const data = JSON.parse(e.data) as T;
        if (pred(data)) return data;
      }
      return undefined;
    };
    const found = find();
    if (found !== undefined) return found;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no matching event within ${timeoutMs} ms (${this.events.length} seen)`));
      }, timeoutMs);
      const check = (): void => {
        const last = this.events[this.events.length - 1];
        if (last === undefined) return;
        const data = JSON.parse(last.data) as T;
        if (!pred(data)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(data);
      };
      this.#waiters.add(check);
    });
  }

  close(): void {
    this.#req?.destroy();
  }
}
