// The fake runtime's built-in one-shot commands (what lets Jobs complete on simulated nodes).
import { describe, expect, it } from 'vitest';
import { builtinBehavior, BUILTIN_EXIT_AFTER_MS } from '../../../main/runtime/fake-script';

describe('fake runtime built-in commands', () => {
  it('true, false and sh -c "exit N" exit by themselves; anything else runs until stopped', () => {
    expect(builtinBehavior(['true'])).toEqual({ exitAfterMs: BUILTIN_EXIT_AFTER_MS, exitCode: 0 });
    expect(builtinBehavior(['/bin/false'])).toEqual({ exitAfterMs: BUILTIN_EXIT_AFTER_MS, exitCode: 1 });
    expect(builtinBehavior(['/bin/sh', '-c', 'exit 3'])).toEqual({ exitAfterMs: BUILTIN_EXIT_AFTER_MS, exitCode: 3 });
    expect(builtinBehavior(['sh', '-c', 'sleep 1; exit 3'])).toEqual({});
    expect(builtinBehavior(['httpd', '-f'])).toEqual({});
    expect(builtinBehavior([])).toEqual({});
  });
});
