// Reusable validators of k8s.io/apimachinery/pkg/util/validation and apimachinery's ObjectMeta rules.
// Messages are Kubernetes' own so that 422 Invalid answers read exactly like a real cluster's.
import type { FieldError } from './errors';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;

/** Problems of a DNS-1123 label (e.g. namespace or service names); empty when valid. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(`must be no more than ${DNS1123_LABEL_MAX_LENGTH} characters`);
  if (!DNS1123_LABEL.test(value)) {
    errs.push(
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

/** Problems of a DNS-1123 subdomain (most object names); empty when valid. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters`);
  if (!DNS1123_SUBDOMAIN.test(value)) {
    errs.push(
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
  }
  return errs;
}

/** Problems of a qualified name (label and annotation keys: optional DNS subdomain prefix + '/' + name). */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name = value;
  if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else for (const e of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${e}`);
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) {
    errs.push(
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
    );
  }
  return errs;
}

/** Problems of a label value (may be empty). */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(value)) {
    errs.push(
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    );
  }
  return errs;
}

/** Field errors of a metadata.labels map. */
export function validateLabels(labels: Record<string, unknown> | undefined, field = 'metadata.labels'): FieldError[] {
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const detail of isQualifiedName(k)) out.push({ type: 'FieldValueInvalid', field, value: k, detail });
    if (typeof v !== 'string') {
      out.push({ type: 'FieldValueInvalid', field: `${field}.${k}`, value: v, detail: 'must be a string' });
      continue;
    }
    for (const detail of isValidLabelValue(v)) out.push({ type: 'FieldValueInvalid', field, value: v, detail });
  }
  return out;
}

const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Field errors of a metadata.annotations map (keys are qualified names; total size at most 256 KiB). */
export function validateAnnotations(annotations: Record<string, unknown> | undefined, field = 'metadata.annotations'): FieldError[] {
  const out: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const detail of isQualifiedName(k.toLowerCase())) out.push({ type: 'FieldValueInvalid', field, value: k, detail });
    if (typeof v !== 'string') {
      out.push({ type: 'FieldValueInvalid', field: `${field}.${k}`, value: v, detail: 'must be a string' });
      continue;
    }
    size += k.length + v.length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    out.push({ type: 'FieldValueTooLong', field, detail: `may not be more than ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes` });
  }
  return out;
}

// ---- Added by the registry: the rest of apimachinery's validators and ObjectMeta validation. ----

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const PORT_NAME_CHARSET = /^[-a-z0-9]+$/;
const PORT_NAME_ONE_LETTER = /[a-z]/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

export const DNS1035_LABEL_MAX_LENGTH = 63;

/** Problems of an RFC 1035 label (Service names: must start with a letter). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1035_LABEL_MAX_LENGTH) errs.push(`must be no more than ${DNS1035_LABEL_MAX_LENGTH} characters`);
  if (!DNS1035_LABEL.test(value)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

/** Problems of a port number (container ports, service ports, target ports). */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** Problems of an IANA_SVC_NAME (named ports): at most 15 chars, lower-case alphanumerics and '-', a letter. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push('must be no more than 15 characters');
  if (!PORT_NAME_CHARSET.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!PORT_NAME_ONE_LETTER.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

// Keys become file names in volumes, so `.` and `..` would escape the mount.
function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** Problems of an environment variable name. */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!ENV_VAR_NAME.test(value)) {
    errs.push(
      "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')",
    );
  }
  return [...errs, ...hasChDirPrefix(value)];
}

/** Problems of a ConfigMap or Secret data key. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(`must be no more than ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters`);
  if (!CONFIG_MAP_KEY.test(value)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  return [...errs, ...hasChDirPrefix(value)];
}

/** A ValidateNameFunc: `prefix` is true for generateName, whose trailing '-' is allowed. */
export type NameValidator = (name: string, prefix: boolean) => string[];

// generateName gets a random suffix appended, so a trailing dash is fine there.
const maskTrailingDash = (name: string): string => (name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name);

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/** Names used as one URL path segment (e.g. RBAC, events in some groups). */
export const nameIsPathSegment: NameValidator = (name, prefix) => {
  const errs: string[] = [];
  if (!prefix && (name === '.' || name === '..')) errs.push(`may not be '${name}'`);
  if (name.includes('/')) errs.push("may not contain '/'");
  if (name.includes('%')) errs.push("may not contain '%'");
  return errs;
};

export interface ObjectMetaValidationOptions {
  namespaced: boolean;
  nameValidator: NameValidator;
  /** Field path of the metadata, `metadata` unless embedded (e.g. templates). */
  field?: string;
}

interface MetaLike {
  name?: string;
  generateName?: string;
  namespace?: string;
  generation?: number;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
  ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }[];
  finalizers?: string[];
}

/** apimachinery's ValidateObjectMeta: name/generateName, namespace scope, labels, annotations, owners, finalizers. */
export function validateObjectMeta(meta: MetaLike | undefined, options: ObjectMetaValidationOptions): FieldError[] {
  const path = options.field ?? 'metadata';
  const m = meta ?? {};
  const out: FieldError[] = [];
  if (m.generateName) {
    for (const detail of options.nameValidator(m.generateName, true)) {
      out.push({ type: 'FieldValueInvalid', field: `${path}.generateName`, value: m.generateName, detail });
    }
  }
  if (!m.name) {
    if (!m.generateName) out.push({ type: 'FieldValueRequired', field: `${path}.name`, detail: 'name or generateName is required' });
  } else {
    for (const detail of options.nameValidator(m.name, false)) out.push({ type: 'FieldValueInvalid', field: `${path}.name`, value: m.name, detail });
  }
  if (options.namespaced) {
    if (!m.namespace) out.push({ type: 'FieldValueRequired', field: `${path}.namespace` });
    else for (const detail of nameIsDNSLabel(m.namespace, false)) out.push({ type: 'FieldValueInvalid', field: `${path}.namespace`, value: m.namespace, detail });
  } else if (m.namespace) {
    out.push({ type: 'FieldValueForbidden', field: `${path}.namespace`, detail: 'not allowed on this type' });
  }
  if (m.generation !== undefined && m.generation < 0) {
    out.push({ type: 'FieldValueInvalid', field: `${path}.generation`, value: m.generation, detail: 'must be greater than or equal to 0' });
  }
  out.push(...validateLabels(m.labels, `${path}.labels`));
  out.push(...validateAnnotations(m.annotations, `${path}.annotations`));
  out.push(...validateOwnerReferences(m.ownerReferences, `${path}.ownerReferences`));
  out.push(...validateFinalizers(m.finalizers, `${path}.finalizers`));
  return out;
}

function validateOwnerReferences(refs: MetaLike['ownerReferences'], field: string): FieldError[] {
  const out: FieldError[] = [];
  let controllers = 0;
  (refs ?? []).forEach((ref) => {
    if (!ref.apiVersion) out.push({ type: 'FieldValueInvalid', field: `${field}.apiVersion`, value: ref.apiVersion ?? '', detail: 'version must not be empty' });
    if (!ref.kind) out.push({ type: 'FieldValueInvalid', field: `${field}.kind`, value: ref.kind ?? '', detail: 'kind must not be empty' });
    if (!ref.name) out.push({ type: 'FieldValueInvalid', field: `${field}.name`, value: ref.name ?? '', detail: 'name must not be empty' });
    if (!ref.uid) out.push({ type: 'FieldValueInvalid', field: `${field}.uid`, value: ref.uid ?? '', detail: 'uid must not be empty' });
    if (ref.controller) controllers++;
  });
  if (controllers > 1) {
    out.push({ type: 'FieldValueInvalid', field, value: refs, detail: 'Only one reference can have Controller set to true' });
  }
  return out;
}

function validateFinalizers(finalizers: string[] | undefined, field: string): FieldError[] {
  const out: FieldError[] = [];
  for (const f of finalizers ?? []) {
    for (const detail of isQualifiedName(f)) out.push({ type: 'FieldValueInvalid', field, value: f, detail });
  }
  return out;
}

/** ValidateObjectMetaUpdate: name, namespace, uid, creationTimestamp may not change. */
export function validateObjectMetaUpdate(meta: MetaLike & { uid?: string; creationTimestamp?: string }, old: typeof meta, field = 'metadata'): FieldError[] {
  const out: FieldError[] = [];
  for (const key of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    if (old[key] !== undefined && meta[key] !== old[key]) {
      out.push({ type: 'FieldValueInvalid', field: `${field}.${key}`, value: meta[key] ?? '', detail: 'field is immutable' });
    }
  }
  return out;
}
