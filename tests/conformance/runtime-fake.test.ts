import { FakeRuntime } from '../../main/runtime/fake';
import { describeRuntimeConformance } from './runtime.case';

const BUSYBOX = 'bosun-test/busybox:1.0';
const PAUSE = 'bosun-test/pause:1.0';

describeRuntimeConformance('FakeRuntime', () => new FakeRuntime({ images: [BUSYBOX, PAUSE] }), {
  busybox: BUSYBOX,
  pause: PAUSE,
  realEngine: false,
  script: (rt, argv, behavior) => (rt as FakeRuntime).script({ command: argv }, behavior),
  scriptExec: (rt, argv, result) => (rt as FakeRuntime).scriptExec(argv, result),
});
