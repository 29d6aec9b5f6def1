// Admission plugins that, in Kubernetes, fill fields defaulting does not: register them with the
// apiserver's admission chain so stored pods read like a real cluster's.
import type { Pod } from '../../../shared/api/pod';
import type { AdmissionPlugin } from '../admission';
import { addDefaultTolerations, DEFAULT_TOLERATION_SECONDS } from './pods';

/**
 * DefaultTolerationSeconds: pods tolerate not-ready/unreachable nodes for `seconds` (Kubernetes: 300,
 * --default-not-ready-toleration-seconds) before the taint eviction controller deletes them. The lab
 * passes its time-scaled value so the number in every pod spec is the one that really applies.
 */
export function createDefaultTolerationSeconds(seconds: number = DEFAULT_TOLERATION_SECONDS): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(ctx) {
      if (ctx.operation !== 'CREATE' || ctx.subresource || !ctx.object) return;
      if (ctx.resource.group !== '' || ctx.resource.resource !== 'pods') return;
      addDefaultTolerations(ctx.object as Pod, seconds);
    },
  };
}

/** The plugin with Kubernetes' 300 s. */
export const defaultTolerationSeconds: AdmissionPlugin = createDefaultTolerationSeconds();
