// Every sample drill is valid as shipped (the Drill strategy's validation, the workloads it needs in the same
// file) and the documented offline substitution keeps it valid YAML with the test image.
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fieldErrorMessage } from '../../../shared/api/errors';
import type { Drill } from '../../../shared/api/chaos';
import { drills } from '../../../main/apiserver/registry/drills';
import { OFFLINE_COMMAND, OFFLINE_IMAGE, offlineSample, readSample, sampleNames } from '../../support/drill-samples';

type Doc = { kind: string; metadata: { name: string }; spec: Record<string, any> };
const docs = (text: string): Doc[] => parseAllDocuments(text).map((d) => d.toJSON() as Doc);

describe('sample drills', () => {
  it('ships the six drills of the library', () => {
    expect(sampleNames()).toEqual(['drain-with-pdb', 'kubelet-stop-split-brain', 'liveness-failure', 'node-crash', 'readiness-failure', 'rolling-update-under-load']);
  });

  for (const name of sampleNames()) {
    it(`${name}: a valid Drill named after its file, with the workloads its checks name`, () => {
      const all = docs(readSample(name));
      const drill = all.find((d) => d.kind === 'Drill') as unknown as Drill;
      expect(drill.metadata.name).toBe(name);
      const errors = drills.validate!({ ...drill, metadata: { ...drill.metadata, namespace: 'default' } });
      expect(errors.map((e) => `${e.field}: ${fieldErrorMessage(e)}`)).toEqual([]);
      const names = (kind: string) => all.filter((d) => d.kind === kind).map((d) => d.metadata.name);
      for (const c of drill.spec.steadyState) {
        if (c.deploymentReady) expect(names('Deployment')).toContain(c.deploymentReady.name);
        if (c.endpoints) expect(names('Service')).toContain(c.endpoints.service);
        if (c.http?.service) expect(names('Service')).toContain(c.http.service);
      }
      for (const d of all.filter((x) => x.kind === 'Deployment')) expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.27');
    });
  }

  it('the offline substitution swaps every image for busybox httpd on port 80', () => {
    for (const name of sampleNames()) {
      const all = docs(offlineSample(readSample(name)));
      for (const d of all.filter((x) => x.kind === 'Deployment')) {
        const c = d.spec.template.spec.containers[0];
        expect(c.image).toBe(OFFLINE_IMAGE);
        expect(c.command).toEqual(['sh', '-c', OFFLINE_COMMAND]);
      }
    }
  });

  it('rolling-update-under-load has what zero failed requests needs', () => {
    const d = docs(readSample('rolling-update-under-load')).find((x) => x.kind === 'Deployment')!;
    expect(d.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    expect(d.spec.minReadySeconds).toBeGreaterThan(0);
    const c = d.spec.template.spec.containers[0];
    expect(c.readinessProbe).toBeDefined();
    expect(c.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
  });
});
