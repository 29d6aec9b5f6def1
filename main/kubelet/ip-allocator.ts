// Pod IPs from a node's podCIDR, so the IP tells the node (10.244.2.x runs on node-2). The first usable
// address (.1 of a /24) is the node's own InternalIP (hostIP of its pods), never handed to a pod; the
// network and broadcast addresses are skipped. Allocation is by pod uid and idempotent, so adopting a
// running sandbox re-reserves the IP it already has.

export function parseCidr(cidr: string): { base: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new Error(`invalid CIDR '${cidr}'`);
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits < 8 || bits > 30) throw new Error(`invalid CIDR '${cidr}'`);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  const base = (((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0) & mask;
  return { base: base >>> 0, bits };
}

export const ipToString = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export function ipToNumber(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

/** The node's InternalIP: the first usable address of its pod range. */
export function nodeAddressOf(podCIDR: string): string {
  return ipToString(parseCidr(podCIDR).base + 1);
}

export class IpAllocator {
  private readonly first: number;
  private readonly last: number;
  private readonly byUid = new Map<string, number>();
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(readonly podCIDR: string) {
    const { base, bits } = parseCidr(podCIDR);
    this.first = base + 2;
    this.last = base + 2 ** (32 - bits) - 2;
    this.cursor = this.first;
  }

  contains(ip: string): boolean {
    const n = ipToNumber(ip);
    return n !== undefined && n >= this.first && n <= this.last;
  }

  /** The pod's IP, allocating one if it has none; throws when the range is exhausted. */
  allocate(uid: string): string {
    const existing = this.byUid.get(uid);
    if (existing !== undefined) return ipToString(existing);
    const size = this.last - this.first + 1;
    // Round-robin from the last allocation so a just-released IP is not reused at once (stale
    // connections and DNS answers pointing at it have time to drain).
    for (let i = 0; i < size; i++) {
      const candidate = this.first + ((this.cursor - this.first + i) % size);
      if (this.used.has(candidate)) continue;
      this.used.add(candidate);
      this.byUid.set(uid, candidate);
      this.cursor = candidate + 1 > this.last ? this.first : candidate + 1;
      return ipToString(candidate);
    }
    throw new Error(`no free pod IP left in ${this.podCIDR}`);
  }

  /** Adoption: a running sandbox keeps its IP. False if the IP is outside the range or held by another pod. */
  reserve(uid: string, ip: string): boolean {
    const n = ipToNumber(ip);
    if (n === undefined || n < this.first || n > this.last) return false;
    const holder = [...this.byUid].find(([, v]) => v === n)?.[0];
    if (holder !== undefined && holder !== uid) return false;
    const previous = this.byUid.get(uid);
    if (previous !== undefined && previous !== n) this.used.delete(previous);
    this.byUid.set(uid, n);
    this.used.add(n);
    return true;
  }

  release(uid: string): void {
    const n = this.byUid.get(uid);
    if (n === undefined) return;
    this.byUid.delete(uid);
    this.used.delete(n);
  }

  ipOf(uid: string): string | undefined {
    const n = this.byUid.get(uid);
    return n === undefined ? undefined : ipToString(n);
  }

  get allocatedCount(): number {
    return this.byUid.size;
  }
}
