import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../shared/api/meta';
import { decodeText, encodeText, entriesOf, keyProblem, podsUsing, withEntries } from '../../../../renderer/composables/config-data';

describe('ConfigMap and Secret data in the form', () => {
  it('decodes UTF-8 Secret values and keeps binary ones as base64, untouched on save', () => {
    const png = 'iVBORw0KGgoAAAANSUhEUg=='; // PNG magic: not UTF-8
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', resourceVersion: '7', managedFields: [] }, data: { user: encodeText('zoë'), logo: png } };
    const rows = entriesOf('Secret', secret);
    expect(rows).toEqual([
      { key: 'logo', base64: png, binary: true },
      { key: 'user', text: 'zoë', base64: encodeText('zoë'), binary: false },
    ]);
    const edited = withEntries('Secret', secret, [rows[0], { ...rows[1], key: 'username', text: 'zoë\nline 2' }]);
    expect(edited.data).toEqual({ logo: png, username: encodeText('zoë\nline 2') });
    expect(decodeText((edited.data as Record<string, string>).username)).toBe('zoë\nline 2');
    expect(edited.metadata.resourceVersion).toBe('7'); // the PUT stays conditional
    expect(edited.metadata.managedFields).toBeUndefined();
  });

  it('keeps ConfigMap data and binaryData apart', () => {
    const cm: KubeObject = { metadata: { name: 'c' }, data: { 'a.conf': 'x=1\n' }, binaryData: { blob: 'AAEC' } };
    const rows = entriesOf('ConfigMap', cm);
    expect(rows.map((r) => [r.key, r.binary])).toEqual([
      ['a.conf', false],
      ['blob', true],
    ]);
    const saved = withEntries('ConfigMap', cm, rows.filter((r) => !r.binary));
    expect(saved.data).toEqual({ 'a.conf': 'x=1\n' });
    expect(saved.binaryData).toBeUndefined();
  });

  it('checks keys as Kubernetes does', () => {
    expect(keyProblem('', [])).toBe('empty');
    expect(keyProblem('a b', [])).toBe('invalid');
    expect(keyProblem('..x', [])).toBe('invalid');
    expect(keyProblem('app.properties', ['app.properties'])).toBe('duplicate');
    expect(keyProblem('LOG_LEVEL', [])).toBeUndefined();
  });

  it('finds the pods using a ConfigMap via env, envFrom, volumes and projected volumes', () => {
    const pod = (name: string, spec: unknown, namespace = 'a'): KubeObject => ({ metadata: { name, namespace, uid: name }, spec });
    const pods = [
      pod('env', { containers: [{ name: 'c', env: [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'level' } } }] }] }),
      pod('envfrom', { initContainers: [{ name: 'i', envFrom: [{ configMapRef: { name: 'cfg' } }] }], containers: [] }),
      pod('vol', { containers: [], volumes: [{ name: 'v', configMap: { name: 'cfg' } }, { name: 'p', projected: { sources: [{ configMap: { name: 'cfg' } }] } }] }),
      pod('secret-only', { containers: [], volumes: [{ name: 'v', secret: { secretName: 'cfg' } }] }),
      pod('other-ns', { containers: [], volumes: [{ name: 'v', configMap: { name: 'cfg' } }] }, 'b'),
    ];
    expect(podsUsing('ConfigMap', 'cfg', 'a', pods).map((u) => [u.pod.metadata.name, u.via])).toEqual([
      ['env', ['env c/LEVEL ← level']],
      ['envfrom', ['envFrom i']],
      ['vol', ['volume v', 'projected volume p']],
    ]);
    expect(podsUsing('Secret', 'cfg', 'a', pods).map((u) => u.pod.metadata.name)).toEqual(['secret-only']);
  });
});
