// Generic ObjectMeta validation (ValidateObjectMeta / ValidateObjectMetaUpdate of apimachinery) that
// every kind gets before its own ResourceDef.validate.
import type { FieldError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, validateAnnotations, validateLabels } from '../../../shared/api/validation';
import type { ResourceDef } from '../types';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(value)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

/** Kinds whose names must be labels rather than subdomains (their names become DNS labels). */
const NAME_RULES: Record<string, (v: string) => string[]> = {
  '/namespaces': isDNS1123Label,
  '/services': isDNS1035Label,
};

export function nameValidator(def: ResourceDef): (v: string) => string[] {
  return NAME_RULES[`${def.group}/${def.resource}`] ?? isDNS1123Subdomain;
}

export function validateObjectMeta(def: ResourceDef, obj: KubeObject, nameFromGenerate: boolean): FieldError[] {
  const m = obj.metadata;
  const errs: FieldError[] = [];
  const nameField = nameFromGenerate ? 'metadata.generateName' : 'metadata.name';
  if (!m.name) {
    errs.push({ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' });
  } else {
    for (const detail of nameValidator(def)(m.name)) {
      errs.push({ type: 'FieldValueInvalid', field: nameField, value: nameFromGenerate ? m.generateName : m.name, detail });
    }
  }
  if (def.namespaced) {
    if (!m.namespace) errs.push({ type: 'FieldValueRequired', field: 'metadata.namespace' });
    else for (const detail of isDNS1123Label(m.namespace)) errs.push({ type: 'FieldValueInvalid', field: 'metadata.namespace', value: m.namespace, detail });
  }
  errs.push(...validateLabels(m.labels as Record<string, unknown> | undefined));
  errs.push(...validateAnnotations(m.annotations as Record<string, unknown> | undefined));
  (m.ownerReferences ?? []).forEach((ref, i) => {
    const f = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion) errs.push({ type: 'FieldValueInvalid', field: `${f}.apiVersion`, value: ref.apiVersion ?? '', detail: 'version must not be empty' });
    if (!ref.kind) errs.push({ type: 'FieldValueInvalid', field: `${f}.kind`, value: ref.kind ?? '', detail: 'kind must not be empty' });
    if (!ref.name) errs.push({ type: 'FieldValueInvalid', field: `${f}.name`, value: ref.name ?? '', detail: 'name must not be empty' });
    if (!ref.uid) errs.push({ type: 'FieldValueInvalid', field: `${f}.uid`, value: ref.uid ?? '', detail: 'uid must not be empty' });
  });
  const controllers = (m.ownerReferences ?? []).filter((r) => r.controller);
  if (controllers.length > 1) {
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.ownerReferences', value: m.ownerReferences, detail: 'Only one reference can have Controller set to true' });
  }
  (m.finalizers ?? []).forEach((f, i) => {
    for (const detail of isQualifiedName(String(f))) errs.push({ type: 'FieldValueInvalid', field: `metadata.finalizers[${i}]`, value: f, detail });
  });
  return errs;
}

export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.metadata.uid !== old.metadata.uid) {
    errs.push({ type: 'FieldValueInvalid', field: 'metadata.uid', value: obj.metadata.uid, detail: 'field is immutable' });
  }
  return errs;
}

/** Same field + message twice (generic and per-kind validators overlapping) is reported once. */
export function dedupe(errs: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errs.filter((e) => {
    const k = `${e.type}|${e.field}|${e.detail ?? ''}|${JSON.stringify(e.value ?? null)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
