import { describe, expect, it } from 'vitest';
import {
  computeStats,
  createContainerBody,
  pullFailure,
  toContainerInfo,
  toRuntimeError,
  toRuntimeEvent,
} from '../../../main/runtime/docker-mapping';
import { isRuntimeError } from '../../../main/runtime/runtime';

describe('createContainerBody', () => {
  it('maps a sandbox: network with static IP and aliases, loopback port bindings, DNS, hosts, shareable IPC', () => {
    const body = createContainerBody({
      name: 'k8s_POD_web_default_uid_0',
      image: 'pause',
      labels: { a: 'b' },
      network: {
        sandbox: {
          network: 'bosun-pods',
          ip: '10.244.1.5',
          aliases: ['web'],
          hostname: 'web',
          ports: [
            { containerPort: 80, protocol: 'TCP' },
            { containerPort: 53, protocol: 'UDP', hostPort: 5353 },
          ],
          dnsServers: ['10.96.0.10'],
          dnsSearch: ['default.svc.cluster.local'],
          dnsOptions: ['ndots:5'],
          extraHosts: ['h:1.2.3.4'],
        },
      },
    }) as Record<string, any>;
    expect(body.Hostname).toBe('web');
    expect(body.ExposedPorts).toEqual({ '80/tcp': {}, '53/udp': {} });
    expect(body.HostConfig.PortBindings).toEqual({
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
    });
    expect(body.HostConfig).toMatchObject({ NetworkMode: 'bosun-pods', IpcMode: 'shareable', Dns: ['10.96.0.10'], DnsOptions: ['ndots:5'], ExtraHosts: ['h:1.2.3.4'] });
    expect(body.NetworkingConfig.EndpointsConfig['bosun-pods']).toEqual({ IPAMConfig: { IPv4Address: '10.244.1.5' }, Aliases: ['web'] });
  });

  it('maps an app container: joins namespaces, command/args, env, resources and security context', () => {
    const body = createContainerBody({
      name: 'k8s_app',
      image: 'busybox',
      labels: {},
      command: ['sh', '-c'],
      args: ['echo hi'],
      env: [{ name: 'A', value: 'x=y' }],
      user: '1000:1000',
      readOnlyRootFilesystem: true,
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
      memoryLimitBytes: 64 * 1024 * 1024,
      nanoCpus: 500_000_000,
      cpuShares: 512,
      mounts: [
        { kind: 'bind', source: '/host/x', target: '/x', readOnly: true },
        { kind: 'tmpfs', source: '', target: '/tmp' },
        { kind: 'tmpfs', source: '', target: '/cache', sizeBytes: 1024 } as never,
      ],
      network: { joinContainer: 'abc' },
    }) as Record<string, any>;
    expect(body).toMatchObject({ Entrypoint: ['sh', '-c'], Cmd: ['echo hi'], Env: ['A=x=y'], User: '1000:1000' });
    expect(body.Hostname).toBeUndefined();
    expect(body.ExposedPorts).toBeUndefined();
    expect(body.HostConfig).toMatchObject({
      NetworkMode: 'container:abc',
      IpcMode: 'container:abc',
      Memory: 67108864,
      MemorySwap: 67108864,
      NanoCpus: 500000000,
      CpuShares: 512,
      ReadonlyRootfs: true,
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['ALL'],
      RestartPolicy: { Name: 'no' },
    });
    expect(body.HostConfig.Mounts).toEqual([
      { Type: 'bind', Source: '/host/x', Target: '/x', ReadOnly: true },
      { Type: 'tmpfs', Target: '/tmp', ReadOnly: false },
      { Type: 'tmpfs', Target: '/cache', ReadOnly: false, TmpfsOptions: { SizeBytes: 1024 } },
    ]);
  });
});

describe('toContainerInfo', () => {
  it('reads state, exit code, OOM, IP and published ports; never-started containers have no exit code', () => {
    const info = toContainerInfo({
      Id: 'abc',
      Name: '/k8s_x',
      Image: 'sha256:1',
      Created: '2026-01-01T00:00:00Z',
      Config: { Image: 'busybox', Labels: { l: 'v' } },
      State: { Status: 'exited', ExitCode: 137, OOMKilled: true, StartedAt: '2026-01-01T00:00:01Z', FinishedAt: '2026-01-01T00:00:02Z', Pid: 0 },
      NetworkSettings: {
        Networks: { pods: { IPAddress: '10.244.1.5' } },
        Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '49153' }], '81/tcp': null },
      },
    });
    expect(info).toMatchObject({ id: 'abc', name: 'k8s_x', image: 'busybox', imageId: 'sha256:1', state: 'exited', exitCode: 137, oomKilled: true, ip: '10.244.1.5' });
    expect(info.pid).toBeUndefined();
    expect(info.ports).toEqual([{ containerPort: 80, protocol: 'TCP', hostIP: '127.0.0.1', hostPort: 49153 }]);
    const fresh = toContainerInfo({ Id: 'x', State: { Status: 'created', ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z' }, NetworkSettings: { Networks: {} } });
    expect(fresh.exitCode).toBeUndefined();
    expect(fresh.startedAt).toBeUndefined();
    expect(fresh.ip).toBeUndefined();
  });

  it('never reports a finish before the start (dockerd stamps StartedAt after a fast exit)', () => {
    const info = toContainerInfo({
      Id: 'fast',
      State: { Status: 'exited', ExitCode: 3, StartedAt: '2026-11-23T00:00:00.093456789Z', FinishedAt: '2026-11-23T00:00:00.092999999Z' },
    });
    expect(info.startedAt).toBe('2026-11-23T00:00:00.093456789Z');
    expect(info.finishedAt).toBe(info.startedAt);
    const normal = toContainerInfo({ Id: 'n', State: { Status: 'exited', ExitCode: 0, StartedAt: '2026-11-23T00:00:00Z', FinishedAt: '2026-11-23T00:00:05Z' } });
    expect(normal.finishedAt).toBe('2026-11-23T00:00:05Z');
  });
});

describe('toRuntimeEvent', () => {
  it('maps a die event with its exit code and labels (without Docker attributes)', () => {
    const e = toRuntimeEvent({
      Type: 'container',
      Action: 'die',
      Actor: { ID: 'abc', Attributes: { exitCode: '3', image: 'busybox', name: 'x', 'bosun.pod.uid': 'u' } },
      time: 1700000000,
      timeNano: 1700000000123456789,
    });
    expect(e).toEqual({ type: 'die', id: 'abc', labels: { 'bosun.pod.uid': 'u' }, exitCode: 3, time: 1700000000123 });
  });

  it('ignores exec and health events', () => {
    expect(toRuntimeEvent({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'a' } })).toBeUndefined();
    expect(toRuntimeEvent({ Type: 'container', Action: 'health_status: healthy', Actor: { ID: 'a' } })).toBeUndefined();
    expect(toRuntimeEvent({ Type: 'network', Action: 'connect', Actor: { ID: 'a' } })).toBeUndefined();
  });
});

describe('computeStats', () => {
  it('computes nano-cores from two samples and the working set as usage minus inactive_file', () => {
    const raw = {
      read: '2026-01-01T00:00:02Z',
      preread: '2026-01-01T00:00:01Z',
      cpu_stats: { cpu_usage: { total_usage: 2_500_000_000 } },
      precpu_stats: { cpu_usage: { total_usage: 2_000_000_000 } },
      memory_stats: { usage: 100, stats: { inactive_file: 30 } },
    };
    const { stats, sample } = computeStats(raw);
    expect(stats.cpuNanoCores).toBe(500_000_000); // half a core
    expect(stats.memoryWorkingSetBytes).toBe(70);
    // A later one-shot read is measured against our own previous sample.
    const next = computeStats({ read: '2026-01-01T00:00:04Z', cpu_stats: { cpu_usage: { total_usage: 4_500_000_000 } }, memory_stats: { usage: 10, stats: { total_inactive_file: 20 } } }, sample);
    expect(next.stats.cpuNanoCores).toBe(1_000_000_000);
    expect(next.stats.memoryWorkingSetBytes).toBe(0);
  });
});

describe('toRuntimeError', () => {
  it('maps an unreachable engine to EngineUnavailable with how to start one', () => {
    const e = toRuntimeError(Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }), 'ping');
    expect(isRuntimeError(e, 'EngineUnavailable')).toBe(true);
    expect(e.message).toMatch(/scripts\/test-env\.mjs/);
    expect(e.message).toMatch(/Docker/);
  });

  it('maps status codes and keeps the engine message', () => {
    const notFound = toRuntimeError({ statusCode: 404, json: { message: 'No such container: x' } }, 'starting container x');
    expect(notFound.reason).toBe('NotFound');
    expect(notFound.message).toBe('starting container x: No such container: x');
    expect(toRuntimeError({ statusCode: 404, json: { message: 'No such image: busybox:9' } }, 'creating', 'create').reason).toBe('ImageNotFound');
    expect(toRuntimeError({ statusCode: 409, json: { message: 'name in use' } }, 'creating', 'create').reason).toBe('Conflict');
    expect(toRuntimeError({ statusCode: 400, json: { message: 'bad mount' } }, 'creating', 'create').reason).toBe('CreateContainerError');
    expect(toRuntimeError({ statusCode: 500, json: { message: 'exec: "nope": executable file not found' } }, 'starting', 'start').reason).toBe('RunContainerError');
    expect(toRuntimeError({ statusCode: 500, json: { message: 'dial tcp: lookup x.invalid: no such host' } }, 'pulling', 'pull').reason).toBe('ErrImagePull');
  });

  it('tells a missing image from other pull failures reported inside the stream', () => {
    expect(pullFailure('a:1', { error: 'manifest for a:1 not found: manifest unknown' }).reason).toBe('ImageNotFound');
    const e = pullFailure('a:1', { errorDetail: { message: 'net/http: TLS handshake timeout' } });
    expect(e.reason).toBe('ErrImagePull');
    expect(e.message).toContain('TLS handshake timeout');
  });
});
