// Preload for profiling a lab child process (NODE_OPTIONS refuses --cpu-prof): `--import` this file with
// BOSUN_CPU_PROFILE=<path.cpuprofile> to write a V8 CPU profile (open it in Chrome DevTools or read it
// with tests/bench/profile-top.mjs) when the process exits, and/or BOSUN_HEAP_PROFILE=<path.heapprofile>
// to write a sampling heap profile (where the live memory was allocated) on SIGUSR2, and/or BOSUN_LOOP_PROBE
// (below) for GC pauses and event loop delay.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import v8 from 'node:v8';

const out = process.env.BOSUN_CPU_PROFILE;
if (out) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  // Same-thread inspector sessions answer synchronously, so this works inside the 'exit' handler.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(out, JSON.stringify(result.profile));
    });
  });
}

const heapOut = process.env.BOSUN_HEAP_PROFILE;
if (heapOut) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', { samplingInterval: 64 * 1024 });
  process.on('SIGUSR2', () => {
    // Next to the profile: the process's memory before and after a full GC, by V8 heap space, so RSS can
    // be split into live objects, garbage awaiting collection and memory outside the JS heap.
    const memory = () => ({
      usage: process.memoryUsage(),
      spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }])),
    });
    const before = memory();
    session.post('HeapProfiler.collectGarbage', () => {
      writeFileSync(`${heapOut}.memory.json`, JSON.stringify({ before, after: memory() }, null, 1));
      session.post('HeapProfiler.getSamplingProfile', (err, result) => {
        if (!err) writeFileSync(heapOut, JSON.stringify(result.profile));
      });
    });
  });
}

// BOSUN_LOOP_PROBE=<file.json>: every GC pause (epoch start ms, duration, kind) and the event loop delay
// histogram, written on SIGUSR2, so a benchmark can tell which slow requests overlapped a pause.
const probeOut = process.env.BOSUN_LOOP_PROBE;
if (probeOut) {
  const { PerformanceObserver, monitorEventLoopDelay, performance } = await import('node:perf_hooks');
  const gcs = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ start: performance.timeOrigin + e.startTime, ms: e.duration, kind: e.detail?.kind });
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on('SIGUSR2', () => {
    const ms = (ns) => ns / 1e6;
    const loop = { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) };
    writeFileSync(probeOut, JSON.stringify({ gcs, loop }));
  });
}
