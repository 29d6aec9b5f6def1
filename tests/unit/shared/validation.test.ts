import { describe, expect, it } from 'vitest';
import { ApiError, fieldErrorMessage } from '../../../shared/api/errors';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  nameIsDNSLabel,
  validateAnnotations,
  validateLabels,
  validateObjectMeta,
  validateObjectMetaUpdate,
} from '../../../shared/api/validation';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

describe('DNS names', () => {
  it('DNS-1123 subdomain accepts dotted names and rejects capitals with the exact message', () => {
    expect(isDNS1123Subdomain('web.example-1')).toEqual([]);
    expect(isDNS1123Subdomain('Web')).toEqual([SUBDOMAIN_MSG]);
    expect(isDNS1123Subdomain('a'.repeat(254))).toEqual(['must be no more than 253 characters']);
  });

  it('DNS-1123 label rejects dots and over-long names', () => {
    expect(isDNS1123Label('my-ns')).toEqual([]);
    expect(isDNS1123Label('my.ns')).toEqual([LABEL_MSG]);
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  it('RFC 1035 label (service names) must start with a letter', () => {
    expect(isDNS1035Label('web-1')).toEqual([]);
    expect(isDNS1035Label('1web')).toEqual([DNS1035_MSG]);
  });

  it('generateName prefixes may end with a dash', () => {
    expect(nameIsDNSSubdomain('web-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('web-', false)).toEqual([SUBDOMAIN_MSG]);
    expect(nameIsDNSLabel('ns-', true)).toEqual([]);
  });
});

describe('qualified names and label values', () => {
  it('accepts prefixed keys and reports each broken part', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('/name')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('example.com/')).toEqual(['name part must be non-empty']);
    expect(isQualifiedName('a'.repeat(64))).toEqual(['name part must be no more than 63 characters']);
    expect(isQualifiedName('Bad_/x/y')[0]).toMatch(/^a qualified name must consist of/);
  });

  it('label values may be empty but not end with a dash', () => {
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2_3')).toEqual([]);
    expect(isValidLabelValue('bad-')[0]).toMatch(/^a valid label must be an empty string or consist of alphanumeric characters/);
  });

  it('validateLabels reports the metadata.labels path with the value', () => {
    const errs = validateLabels({ good: 'yes', app: 'bad value' });
    expect(errs).toHaveLength(1);
    expect(errs[0].field).toBe('metadata.labels');
    expect(fieldErrorMessage(errs[0])).toMatch(/^Invalid value: "bad value": a valid label must be/);
  });

  it('annotations over 256 KiB in total are rejected', () => {
    expect(validateAnnotations({ a: 'x'.repeat(1000) })).toEqual([]);
    const errs = validateAnnotations({ a: 'x'.repeat(256 * 1024) });
    expect(errs.map((e) => e.type)).toEqual(['FieldValueTooLong']);
  });
});

describe('ports, env and config keys', () => {
  it('port numbers are 1..65535', () => {
    expect(isValidPortNum(80)).toEqual([]);
    expect(isValidPortNum(0)).toEqual(['must be between 1 and 65535, inclusive']);
    expect(isValidPortNum(65536)).toEqual(['must be between 1 and 65535, inclusive']);
  });

  it('IANA service names', () => {
    expect(isValidPortName('http-web')).toEqual([]);
    expect(isValidPortName('80')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('-http')).toEqual(['must not begin or end with a hyphen']);
    expect(isValidPortName('averyveryverylongname')).toEqual(['must be no more than 15 characters']);
    expect(isValidPortName('HTTP')).toEqual(['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']);
  });

  it('env var names may not start with a digit', () => {
    expect(isEnvVarName('MY_VAR.x-1')).toEqual([]);
    expect(isEnvVarName('1VAR')[0]).toBe(
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    );
  });

  it('config keys: charset and no `..`', () => {
    expect(isConfigMapKey('app.properties')).toEqual([]);
    expect(isConfigMapKey('a b')[0]).toMatch(/^a valid config key must consist of alphanumeric characters, '-', '_' or '.'/);
    expect(isConfigMapKey('..data')).toEqual(["must not start with '..'"]);
  });
});

describe('validateObjectMeta', () => {
  it('requires name or generateName and a namespace for namespaced kinds', () => {
    const errs = validateObjectMeta({}, { namespaced: true, nameValidator: nameIsDNSSubdomain });
    expect(errs.map((e) => `${e.field}: ${fieldErrorMessage(e)}`)).toEqual([
      'metadata.name: Required value: name or generateName is required',
      'metadata.namespace: Required value',
    ]);
  });

  it('forbids a namespace on cluster-scoped kinds', () => {
    const errs = validateObjectMeta({ name: 'n1', namespace: 'x' }, { namespaced: false, nameValidator: nameIsDNSSubdomain });
    expect(errs.map((e) => `${e.field}: ${fieldErrorMessage(e)}`)).toEqual(['metadata.namespace: Forbidden: not allowed on this type']);
  });

  it('renders as the 422 message kubectl prints', () => {
    const errs = validateObjectMeta({ name: 'Bad', namespace: 'default' }, { namespaced: true, nameValidator: nameIsDNSSubdomain });
    const err = ApiError.invalid('', 'Pod', 'Bad', errs);
    expect(err.message).toBe(`Pod "Bad" is invalid: metadata.name: Invalid value: "Bad": ${SUBDOMAIN_MSG}`);
    expect(err.code).toBe(422);
  });

  it('validates owner references and finalizers', () => {
    const errs = validateObjectMeta(
      { name: 'a', namespace: 'd', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: '' }], finalizers: ['ok/fin', 'bad fin'] },
      { namespaced: true, nameValidator: nameIsDNSSubdomain },
    );
    expect(errs.map((e) => e.field)).toEqual(['metadata.ownerReferences.uid', 'metadata.finalizers']);
  });

  it('name and uid are immutable on update', () => {
    const errs = validateObjectMetaUpdate({ name: 'b', uid: 'u1' }, { name: 'a', uid: 'u1' });
    expect(errs.map((e) => `${e.field}: ${fieldErrorMessage(e)}`)).toEqual(['metadata.name: Invalid value: "b": field is immutable']);
  });
});
