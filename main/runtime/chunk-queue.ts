// A push-fed async iterable of log chunks with close(): what ContainerRuntime.logs returns. Producers
// (Docker's demuxed stream, the fake's log buffer) push; the consumer iterates; close() from either side
// ends iteration and runs the producer's cleanup exactly once.
import type { LogChunk } from './runtime';

export class ChunkQueue implements AsyncIterable<LogChunk> {
  private readonly buffered: LogChunk[] = [];
  private waiter?: { resolve: (r: IteratorResult<LogChunk>) => void; reject: (e: Error) => void };
  private done = false;
  private failure?: Error;

  constructor(private readonly onClose: () => void = () => {}) {}

  push(chunk: LogChunk): void {
    if (this.done) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: chunk, done: false });
    } else this.buffered.push(chunk);
  }

  /** Producer side: no more chunks (an error is thrown to the consumer after the buffered chunks). */
  end(error?: Error): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    this.onClose();
    if (this.waiter && this.buffered.length === 0) {
      const w = this.waiter;
      this.waiter = undefined;
      if (error) w.reject(error);
      else w.resolve({ value: undefined, done: true });
    }
  }

  /** Consumer side: stop following; buffered chunks are dropped. */
  close(): void {
    this.buffered.length = 0;
    this.end();
  }

  get closed(): boolean {
    return this.done;
  }

  [Symbol.asyncIterator](): AsyncIterator<LogChunk> {
    return {
      next: () => {
        const chunk = this.buffered.shift();
        if (chunk) return Promise.resolve({ value: chunk, done: false });
        if (this.done) {
          if (this.failure) {
            const e = this.failure;
            this.failure = undefined;
            return Promise.reject(e);
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
