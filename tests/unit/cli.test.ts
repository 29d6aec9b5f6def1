import { describe, expect, it } from 'vitest';
import { parseServeArgs, USAGE, UsageError } from '../../main/serve-options';
import { renderKubeconfig } from '../../main/kubeconfig';
import { parse } from 'yaml';

describe('bosun serve flags', () => {
  it('uses the documented defaults', () => {
    const o = parseServeArgs(['--data-dir', '/tmp/lab']);
    expect(o).toEqual({
      port: 6443,
      dataDir: '/tmp/lab',
      kubeconfig: '/tmp/lab/kubeconfig',
      nodes: 3,
      runtime: 'docker',
      pauseImage: 'registry.k8s.io/pause:3.10',
      timeScale: 20,
    });
  });

  it('accepts every flag', () => {
    const o = parseServeArgs(['--port', '0', '--data-dir', '/d', '--kubeconfig', '/k/config', '--nodes', '5', '--runtime', 'fake', '--pause-image', 'p:1']);
    expect(o).toMatchObject({ port: 0, kubeconfig: '/k/config', nodes: 5, runtime: 'fake', pauseImage: 'p:1' });
  });

  it('takes --time-scale: 1 is real Kubernetes timing, fractions allowed', () => {
    expect(parseServeArgs(['--time-scale', '1'])).toMatchObject({ timeScale: 1 });
    expect(parseServeArgs(['--time-scale=2.5'])).toMatchObject({ timeScale: 2.5 });
    expect(parseServeArgs(['--time-scale', '1000'])).toMatchObject({ timeScale: 1000 });
  });

  it.each([
    [['--prot', '1'], /Unknown option '--prot'.*bosun serve --help/],
    [['--port', 'abc'], /--port must be a whole number from 0 to 65535, got 'abc'/],
    [['--port', '70000'], /--port must be a whole number/],
    [['--nodes=-1'], /--nodes must be a whole number/],
    [['--runtime', 'podman'], /--runtime must be 'docker' or 'fake', got 'podman'/],
    [['--time-scale', '0'], /--time-scale must be a number from 1 \(real Kubernetes timing\) to 1000, got '0'/],
    [['--time-scale', '1001'], /--time-scale must be a number from 1/],
    [['--time-scale', 'fast'], /--time-scale must be a number from 1/],
    [['extra'], /Unexpected argument 'extra'/],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(UsageError);
    expect(() => parseServeArgs(argv)).toThrow(message);
  });

  it('answers --help', () => {
    expect(parseServeArgs(['--help'])).toBe('help');
  });

  it('documents --time-scale in the usage', () => {
    expect(USAGE).toMatch(/--time-scale N\s+divide Kubernetes' timers by N/);
    expect(USAGE).toContain('kubectl -n kube-system get configmap bosun-lab-timing -o yaml');
  });
});

describe('kubeconfig', () => {
  it('has context bosun pointing at the server with the bearer token', () => {
    const cfg = parse(renderKubeconfig({ server: 'https://127.0.0.1:1234', caCertificate: 'PEM', token: 'tok' }));
    expect(cfg['current-context']).toBe('bosun');
    expect(cfg.clusters[0].cluster.server).toBe('https://127.0.0.1:1234');
    expect(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toBe('PEM');
    expect(cfg.users[0].user.token).toBe('tok');
    expect(cfg.contexts[0].context).toEqual({ cluster: 'bosun', user: 'bosun-admin', namespace: 'default' });
  });
});
