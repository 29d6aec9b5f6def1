// The store reports what it cannot return to a caller (recovered corruption, failed compactions,
// throwing watch handlers) through an injectable logger, so tests can assert on it and the app can
// route it to its own log.

export interface StoreLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, error?: unknown): void;
}

export const consoleStoreLogger: StoreLogger = {
  info: (message) => console.info(`[store] ${message}`),
  warn: (message) => console.warn(`[store] ${message}`),
  error: (message, error) => console.error(`[store] ${message}`, ...(error === undefined ? [] : [error])),
};
