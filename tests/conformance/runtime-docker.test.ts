// The runtime conformance suite against the real Docker engine (offline test images, no registry).
import { DockerRuntime } from '../../main/runtime/docker';
import { describeRuntimeConformance } from './runtime.case';

describeRuntimeConformance('DockerRuntime', (labId) => new DockerRuntime({ labId }), {
  busybox: 'bosun-test/busybox:1.0',
  pause: 'bosun-test/pause:1.0',
  realEngine: true,
});
