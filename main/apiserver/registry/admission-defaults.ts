// Admission plugins that, in Kubernetes, fill fields defaulting does not: register them with the
// apiserver's admission chain so stored pods read like a real cluster's.
import type { Pod } from '../../../shared/api/pod';
import type { AdmissionPlugin } from '../admission';
import { addDefaultTolerations } from './pods';

/** DefaultTolerationSeconds: pods tolerate not-ready/unreachable nodes for 300s before eviction. */
export const defaultTolerationSeconds: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  admit(ctx) {
    if (ctx.operation !== 'CREATE' || ctx.subresource || !ctx.object) return;
    if (ctx.resource.group !== '' || ctx.resource.resource !== 'pods') return;
    addDefaultTolerations(ctx.object as Pod);
  },
};
