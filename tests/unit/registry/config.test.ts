import { describe, expect, it } from 'vitest';
import { configmaps } from '../../../main/apiserver/registry/configmaps';
import { secrets } from '../../../main/apiserver/registry/secrets';
import { serviceaccounts } from '../../../main/apiserver/registry/serviceaccounts';
import { cells, clone, created, createErrors, updateErrors } from './helpers';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('configmaps', () => {
  const cm = (extra: Record<string, unknown>) => ({ metadata: { name: 'cfg', namespace: 'default' }, ...extra });

  it('validates keys', () => {
    expect(createErrors(configmaps, cm({ data: { 'app.properties': 'x', KEY_1: 'y' } }))).toEqual([]);
    expect(createErrors(configmaps, cm({ data: { 'bad key': 'x' } }))).toEqual([
      "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    ]);
    expect(createErrors(configmaps, cm({ data: { a: 'x' }, binaryData: { a: b64('y') } }))).toEqual(['binaryData[a]: Invalid value: "a": duplicate of key present in data']);
  });

  it('rejects more than 1 MiB', () => {
    expect(createErrors(configmaps, cm({ data: { big: 'x'.repeat(1024 * 1024) } }))).toEqual([': Too long: must have at most 1048576 bytes']);
  });

  it('immutable: true freezes data', () => {
    const old = created(configmaps, cm({ data: { a: '1' }, immutable: true }));
    const next = clone(old) as any;
    next.data.a = '2';
    expect(updateErrors(configmaps, old, next)).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    const unfreeze = clone(old) as any;
    unfreeze.immutable = false;
    expect(updateErrors(configmaps, old, unfreeze)).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
    const mutable = created(configmaps, cm({ data: { a: '1' } }));
    expect(updateErrors(configmaps, mutable, { ...clone(mutable), data: { a: '2' } } as any)).toEqual([]);
  });

  it('DATA column counts data and binaryData', () => {
    expect(cells(configmaps, cm({ data: { a: '1', b: '2' }, binaryData: { c: b64('3') } }), new Date())).toMatchObject({ Data: 3 });
  });
});

describe('secrets', () => {
  const secret = (extra: Record<string, unknown>) => ({ metadata: { name: 's', namespace: 'default' }, ...extra });

  it('defaults type Opaque and folds stringData into base64 data', () => {
    const s = created(secrets, secret({ data: { a: b64('old'), keep: b64('k') }, stringData: { a: 'new', b: 'héllo' } })) as any;
    expect(s).toEqual({ metadata: { name: 's', namespace: 'default' }, type: 'Opaque', data: { a: b64('new'), keep: b64('k'), b: b64('héllo') } });
  });

  it('data must be base64', () => {
    expect(createErrors(secrets, secret({ data: { a: 'not base64!' } }))).toEqual(['data[a]: Invalid value: "<secret contents redacted>": illegal base64 data at input byte 3']);
    expect(createErrors(secrets, secret({ data: { a: b64('fine') } }))).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['tls needs crt and key', { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }, ['data[tls.key]: Required value']],
    ['basic-auth needs username or password', { type: 'kubernetes.io/basic-auth', data: {} }, ['data[username]: Required value', 'data[password]: Required value']],
    ['dockerconfigjson must be JSON', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{nope') } }, ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": ']],
    [
      'service account token needs the service account annotation',
      { type: 'kubernetes.io/service-account-token' },
      ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
    ],
  ])('%s', (_n, extra, expected) => {
    const errs = createErrors(secrets, secret(extra));
    expect(errs).toHaveLength(expected.length);
    errs.forEach((e, i) => expect(e.startsWith(expected[i])).toBe(true));
  });

  it('type is immutable; immutable secrets keep their data', () => {
    const old = created(secrets, secret({ data: { a: b64('1') }, immutable: true }));
    expect(updateErrors(secrets, old, { ...clone(old), type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } } as any)).toEqual([
      'type: Invalid value: "kubernetes.io/tls": field is immutable',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });

  it('TYPE DATA AGE columns', () => {
    expect(cells(secrets, created(secrets, secret({ stringData: { a: '1', b: '2' } })), new Date())).toMatchObject({ Type: 'Opaque', Data: 2 });
  });
});

describe('serviceaccounts', () => {
  it('SECRETS column', () => {
    expect(cells(serviceaccounts, { metadata: { name: 'default' }, secrets: [{ name: 'x' }] }, new Date())).toMatchObject({ Secrets: 1 });
    expect(createErrors(serviceaccounts, { metadata: { name: 'Default', namespace: 'ns' } })[0]).toMatch(/^metadata.name: Invalid value: "Default"/);
  });
});
