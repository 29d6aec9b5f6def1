// Keys kept in one sorted array so that a prefix is a contiguous range found by binary search:
// list/count never scan the whole keyspace (10k pods under /core/pods/ next to 10 nodes stays cheap).
// Insertion is a splice (a memmove of pointers), which at lab sizes costs microseconds.

export class SortedKeys {
  private keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key` (UTF-16 code unit order, as JavaScript compares strings). */
  lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] !== key) this.keys.splice(at, 0, key);
  }

  remove(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** [start, end) indexes of the keys that begin with `prefix`. */
  range(prefix: string): [number, number] {
    if (prefix === '') return [0, this.keys.length];
    const start = this.lowerBound(prefix);
    const successor = prefixSuccessor(prefix);
    const end = successor === undefined ? this.keys.length : this.lowerBound(successor);
    return [start, end];
  }

  /** Keys beginning with `prefix`, in order. */
  withPrefix(prefix: string): string[] {
    const [start, end] = this.range(prefix);
    return this.keys.slice(start, end);
  }

  count(prefix: string): number {
    const [start, end] = this.range(prefix);
    return end - start;
  }
}

/**
 * The smallest string greater than every string that starts with `prefix`: bump the last code unit.
 * A trailing U+FFFF cannot be bumped, so it is dropped and the previous unit bumped instead; a prefix made
 * only of U+FFFF has no successor (undefined: the range runs to the end).
 */
export function prefixSuccessor(prefix: string): string | undefined {
  let end = prefix.length;
  while (end > 0 && prefix.charCodeAt(end - 1) === 0xffff) end--;
  if (end === 0) return undefined;
  return prefix.slice(0, end - 1) + String.fromCharCode(prefix.charCodeAt(end - 1) + 1);
}
