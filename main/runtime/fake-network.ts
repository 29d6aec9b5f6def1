// Simulated bridge networks for the FakeRuntime: IP allocation inside a subnet and port numbers that
// look published (nothing listens on them).
import { RuntimeError } from './runtime';

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RuntimeError('CreateContainerError', `invalid IPv4 address "${ip}"`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export class FakeNetwork {
  readonly base: number;
  readonly size: number;
  private readonly used = new Set<number>();
  private cursor = 2;

  constructor(
    readonly name: string,
    readonly subnet: string,
    readonly gateway: string,
    readonly labels: Record<string, string>,
  ) {
    const [addr, bits] = subnet.split('/');
    const prefix = Number(bits);
    if (!addr || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
      throw new RuntimeError('Unknown', `invalid subnet "${subnet}" for network ${name}`);
    }
    this.size = 2 ** (32 - prefix);
    this.base = (ipToInt(addr) & ~(this.size - 1)) >>> 0;
    this.used.add(ipToInt(gateway));
  }

  /** Reserves a static IP (Docker's IPAMConfig) or the next free one. */
  allocate(ip?: string): string {
    if (ip) {
      const n = ipToInt(ip);
      if (n < this.base || n >= this.base + this.size) {
        throw new RuntimeError('CreateContainerError', `IP ${ip} is not in subnet ${this.subnet} of network ${this.name}`);
      }
      if (this.used.has(n)) throw new RuntimeError('Conflict', `Address already in use: ${ip} on network ${this.name}`);
      this.used.add(n);
      return ip;
    }
    for (let i = 0; i < this.size - 2; i++) {
      const offset = ((this.cursor - 1 + i) % (this.size - 2)) + 1;
      const n = this.base + offset;
      if (!this.used.has(n)) {
        this.used.add(n);
        this.cursor = offset + 1;
        return intToIp(n);
      }
    }
    throw new RuntimeError('CreateContainerError', `no free IP left in network ${this.name} (${this.subnet})`);
  }

  release(ip: string | undefined): void {
    if (ip) this.used.delete(ipToInt(ip));
  }
}
