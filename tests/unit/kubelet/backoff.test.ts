import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../main/client/clock';
import { Backoff } from '../../../main/kubelet/backoff';
import { goDuration } from '../../../main/kubelet/go-duration';
import { IpAllocator, nodeAddressOf } from '../../../main/kubelet/ip-allocator';

describe('Backoff (CrashLoopBackOff delays)', () => {
  it('doubles from the base to the cap and starts over after the reset window', () => {
    const clock = new FakeClock(0);
    const b = new Backoff(clock, { baseMs: 10_000, capMs: 300_000, resetMs: 600_000 });
    const seq: number[] = [];
    for (let i = 0; i < 8; i++) seq.push(b.next('pod/c', clock.nowMs()));
    expect(seq).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    // A failure within the delay after the previous one must wait the rest of it.
    expect(b.remaining('pod/c', clock.nowMs())).toBe(300_000);
    clock.step(100_000);
    expect(b.remaining('pod/c', clock.nowMs() - 100_000)).toBe(200_000);
    // Ran longer than the reset window: forgiven.
    clock.step(600_001);
    expect(b.remaining('pod/c', clock.nowMs())).toBe(0);
    expect(b.next('pod/c', clock.nowMs())).toBe(10_000);
    expect(b.next('other', clock.nowMs())).toBe(10_000);
  });

  it('prints delays like Go durations', () => {
    expect([10_000, 20_000, 80_000, 160_000, 300_000].map(goDuration)).toEqual(['10s', '20s', '1m20s', '2m40s', '5m0s']);
  });
});

describe('IpAllocator', () => {
  it('hands out IPs from the node range, never the node address, and keeps adopted ones', () => {
    const ips = new IpAllocator('10.244.3.0/24');
    expect(nodeAddressOf('10.244.3.0/24')).toBe('10.244.3.1');
    expect(ips.reserve('adopted', '10.244.3.2')).toBe(true);
    expect(ips.allocate('a')).toBe('10.244.3.3');
    expect(ips.allocate('a')).toBe('10.244.3.3');
    expect(ips.reserve('other', '10.244.3.3')).toBe(false);
    expect(ips.reserve('x', '10.244.4.9')).toBe(false);
    ips.release('a');
    expect(ips.allocate('b')).toBe('10.244.3.4');
    const all = new Set<string>();
    for (let i = 0; i < 251; i++) all.add(ips.allocate(`p${i}`));
    expect(all.has('10.244.3.1')).toBe(false);
    expect(all.has('10.244.3.255')).toBe(false);
    expect(() => ips.allocate('one-too-many')).toThrow(/no free pod IP/);
  });
});
