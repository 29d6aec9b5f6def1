// One shared clock for AGE columns: a single interval for the whole page instead of one per row.
import { onScopeDispose, shallowRef, type ShallowRef } from 'vue';

let now: ShallowRef<Date> | undefined;
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

export const NOW_TICK_MS = 2000;

export function useNow(): ShallowRef<Date> {
  now ??= shallowRef(new Date());
  const clock = now;
  if (users++ === 0) timer = setInterval(() => (clock.value = new Date()), NOW_TICK_MS);
  onScopeDispose(() => {
    if (--users === 0) clearInterval(timer);
  });
  return clock;
}
