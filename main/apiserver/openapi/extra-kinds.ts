// Definitions of the served kinds whose messages the protobuf schema does not carry (kubectl never sends
// them as protobuf): apps/v1 ControllerRevision, storage.k8s.io/v1 StorageClass and metrics.k8s.io/v1beta1
// NodeMetrics/PodMetrics. Written from their Go types (Kubernetes 1.32, metrics-server), field for field,
// in the form the generator gives every other kind.
import { k8sRoot, WELL_KNOWN } from '../protobuf/schema';
import { addMessageClosure, type Flavor, OBJECT_META, refTo, type Schema } from './proto-schemas';

const CORE = 'io.k8s.api.core.v1';
const str: Schema = { type: 'string' };
const strings: Schema = { type: 'array', items: str };

type Definitions = Record<string, Schema>;

function controllerRevision(flavor: Flavor, into: Definitions): Schema {
  const raw = addMessageClosure(k8sRoot().lookupType(WELL_KNOWN.rawExtension), flavor, into);
  return {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { $ref: refTo(flavor, OBJECT_META) },
      data: { $ref: refTo(flavor, raw) },
      revision: { type: 'integer', format: 'int64' },
    },
  };
}

function storageClass(flavor: Flavor, into: Definitions): Schema {
  into[`${CORE}.TopologySelectorLabelRequirement`] = { type: 'object', properties: { key: str, values: strings } };
  into[`${CORE}.TopologySelectorTerm`] = {
    type: 'object',
    properties: { matchLabelExpressions: { type: 'array', items: { $ref: refTo(flavor, `${CORE}.TopologySelectorLabelRequirement`) } } },
  };
  return {
    type: 'object',
    properties: {
      apiVersion: str,
      kind: str,
      metadata: { $ref: refTo(flavor, OBJECT_META) },
      provisioner: str,
      parameters: { type: 'object', additionalProperties: str },
      reclaimPolicy: str,
      mountOptions: strings,
      allowVolumeExpansion: { type: 'boolean' },
      volumeBindingMode: str,
      allowedTopologies: { type: 'array', items: { $ref: refTo(flavor, `${CORE}.TopologySelectorTerm`) } },
    },
  };
}

const METRICS = 'io.k8s.api.metrics.v1beta1';

/** Fields every metrics kind has: metadata, when the sample was taken and over which window. */
function metricsCommon(flavor: Flavor, into: Definitions): Record<string, Schema> {
  const time = addMessageClosure(k8sRoot().lookupType(WELL_KNOWN.time), flavor, into);
  const duration = addMessageClosure(k8sRoot().lookupType(WELL_KNOWN.duration), flavor, into);
  return { apiVersion: str, kind: str, metadata: { $ref: refTo(flavor, OBJECT_META) }, timestamp: { $ref: refTo(flavor, time) }, window: { $ref: refTo(flavor, duration) } };
}

function usage(flavor: Flavor, into: Definitions): Schema {
  const quantity = addMessageClosure(k8sRoot().lookupType(WELL_KNOWN.quantity), flavor, into);
  return { type: 'object', additionalProperties: { $ref: refTo(flavor, quantity) } };
}

function nodeMetrics(flavor: Flavor, into: Definitions): Schema {
  return { type: 'object', properties: { ...metricsCommon(flavor, into), usage: usage(flavor, into) } };
}

function podMetrics(flavor: Flavor, into: Definitions): Schema {
  into[`${METRICS}.ContainerMetrics`] = { type: 'object', properties: { name: str, usage: usage(flavor, into) } };
  return {
    type: 'object',
    properties: { ...metricsCommon(flavor, into), containers: { type: 'array', items: { $ref: refTo(flavor, `${METRICS}.ContainerMetrics`) } } },
  };
}

const BUILDERS: Record<string, (flavor: Flavor, into: Definitions) => Schema> = {
  'apps/v1/ControllerRevision': controllerRevision,
  'storage.k8s.io/v1/StorageClass': storageClass,
  'metrics.k8s.io/v1beta1/NodeMetrics': nodeMetrics,
  'metrics.k8s.io/v1beta1/PodMetrics': podMetrics,
};

/** The kind's schema (its nested definitions added to `into`), or undefined when it is not one of these. */
export function extraKindSchema(group: string, version: string, kind: string, flavor: Flavor, into: Definitions): Schema | undefined {
  const build = BUILDERS[`${group}/${version}/${kind}`];
  return build?.(flavor, into);
}
