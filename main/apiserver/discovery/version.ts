// `/version`: shaped like k8s.io/apimachinery/pkg/version.Info so kubectl's skew check and clients that
// parse major/minor work. The numbers say which Kubernetes API level Bosun imitates.

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

export function defaultVersionInfo(overrides: Partial<VersionInfo> = {}): VersionInfo {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-bosun',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    // There is no Go here; the field exists because clients expect it, and names the real runtime.
    goVersion: `node${process.versions.node}`,
    compiler: 'bosun',
    platform: `${process.platform}/${GO_ARCH[process.arch] ?? process.arch}`,
    ...overrides,
  };
}
