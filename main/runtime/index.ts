// The runtime seam's public face: the contract plus a factory, so the composition root picks an engine
// by name (`docker` for real nodes, `fake` for simulated ones) without knowing the classes.
import { DockerRuntime, type DockerRuntimeOptions } from './docker';
import { FakeRuntime, type FakeRuntimeOptions } from './fake';
import type { ContainerRuntime } from './runtime';

export * from './runtime';
export { DockerRuntime, type DockerRuntimeOptions } from './docker';
export { FakeRuntime, SIMULATED_NODE_SIGTERM_EXIT_MS, type FakeRuntimeOptions, type FakeCall, type FakeMethod } from './fake';
export type { FakeBehavior, FakeExecScript, FakeMatch } from './fake-script';

export type RuntimeKind = 'docker' | 'fake';

export interface RuntimeFactoryOptions {
  docker?: DockerRuntimeOptions;
  fake?: FakeRuntimeOptions;
}

export function createRuntime(kind: 'docker', options?: RuntimeFactoryOptions): DockerRuntime;
export function createRuntime(kind: 'fake', options?: RuntimeFactoryOptions): FakeRuntime;
export function createRuntime(kind: RuntimeKind, options?: RuntimeFactoryOptions): ContainerRuntime;
export function createRuntime(kind: RuntimeKind, options: RuntimeFactoryOptions = {}): ContainerRuntime {
  switch (kind) {
    case 'docker':
      return new DockerRuntime(options.docker);
    case 'fake':
      return new FakeRuntime(options.fake);
    default:
      throw new Error(`unknown container runtime "${String(kind)}" (expected "docker" or "fake")`);
  }
}
