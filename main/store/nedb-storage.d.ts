// The part of nedb's own file layer (lib/storage.js, untyped) that the store's streamed compaction
// reuses, so that its crash-safe steps stay nedb's (including where directories cannot be fsynced).
declare module '@seald-io/nedb/lib/storage.js' {
  export function flushToStorageAsync(options: string | { filename: string; isDir?: boolean; mode?: number }): Promise<void>;
  export function existsAsync(file: string): Promise<boolean>;
  export function renameAsync(from: string, to: string): Promise<void>;
}
