// OpenAPI v3 schemas of the chaos.bosun.dev fault kinds (what a CRD would declare): published for
// `kubectl explain nodefault.spec`, and the shape strict field validation checks bodies against.
type Schema = Record<string, unknown>;

const str = (description: string, extra: Schema = {}): Schema => ({ type: 'string', description, ...extra });
const int = (description: string): Schema => ({ type: 'integer', format: 'int32', description });
const arr = (items: Schema, description: string): Schema => ({ type: 'array', items, description });
const obj = (properties: Record<string, Schema>, description: string, required?: string[]): Schema => ({
  type: 'object',
  description,
  properties,
  ...(required ? { required } : {}),
});

const labelSelector = obj(
  {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels every selected object must carry.' },
    matchExpressions: arr(
      obj(
        { key: str('The label key.'), operator: str('In, NotIn, Exists or DoesNotExist.'), values: arr({ type: 'string' }, 'Values for In/NotIn.') },
        'A label selector requirement.',
        ['key', 'operator'],
      ),
      'Label selector requirements, ANDed.',
    ),
  },
  'A label query over the targets (metav1.LabelSelector).',
);

const mode = str('How many of the selected targets get the fault: one (one at random), all, fixed (value targets), fixed-percent (value percent, rounded down, at least one).', {
  enum: ['one', 'all', 'fixed', 'fixed-percent'],
});
const value = str('The count for mode fixed ("2") or the percentage for fixed-percent ("50").');
const duration = str('How long the fault lasts, a Go duration ("60s", "2m"); absent: until the fault is deleted.');

const target = obj(
  {
    kind: str('Node, Pod or Service.'),
    name: str('Name of the target.'),
    namespace: str('Namespace of a Pod or Service target.'),
    uid: str('UID of the target when it was selected.'),
    containers: arr({ type: 'string' }, 'Container names (or ids) acted on.'),
    injectedAt: str('When the fault was injected on this target.', { format: 'date-time' }),
    revertedAt: str('When the fault was reverted on this target.', { format: 'date-time' }),
    message: str('What was done (or why nothing was).'),
    restore: { type: 'object', additionalProperties: { type: 'string' }, description: 'What the revert needs (paused container ids, IP addresses…).' },
  },
  'One object the fault acts on.',
);

const condition = obj(
  {
    type: str('Type of the condition.'),
    status: str('True, False or Unknown.'),
    reason: str('Machine-readable reason.'),
    message: str('Human-readable message.'),
    lastTransitionTime: str('Last time the condition changed.', { format: 'date-time' }),
  },
  'A condition of the fault.',
);

const status = obj(
  {
    phase: str('Pending, Injecting, Injected, Reverting, Reverted or Failed.'),
    observedGeneration: { type: 'integer', format: 'int64', description: 'The generation the controller acted on.' },
    targets: arr(target, 'The targets, recorded before anything is injected.'),
    injectedAt: str('When injection finished.', { format: 'date-time' }),
    expiresAt: str('The persisted deadline (injectedAt + duration): a restart reverts a fault whose deadline passed.', { format: 'date-time' }),
    revertedAt: str('When the revert finished.', { format: 'date-time' }),
    message: str('What happened last, in words.'),
    conditions: arr(condition, 'Conditions of the fault.'),
  },
  'What the fault controller did: phase, targets, timestamps.',
);

export const nodeFaultSchema: Schema = obj(
  {
    spec: obj(
      {
        action: str('crash (kubelet stopped, every container killed), kubeletStop (heartbeats stop, containers keep running), freeze (containers paused, kubelet stopped) or partition (pods cut from the pod network, node from the control plane).', {
          enum: ['crash', 'kubeletStop', 'freeze', 'partition'],
        }),
        selector: obj(
          { nodeNames: arr({ type: 'string' }, 'Nodes by name.'), labelSelector },
          'Which nodes: by name, or by labels (with mode/value).',
        ),
        mode,
        value,
        duration,
      },
      'What to break on which nodes, for how long.',
      ['action', 'selector'],
    ),
    status,
  },
  'NodeFault breaks lab nodes (crash, kubeletStop, freeze, partition) and reverts it when it expires or is deleted.',
  ['spec'],
);

export const podFaultSchema: Schema = obj(
  {
    spec: obj(
      {
        action: str('kill, delete, failLiveness, failReadiness, cpuStress, memoryStress or imagePullFailure.', {
          enum: ['kill', 'delete', 'failLiveness', 'failReadiness', 'cpuStress', 'memoryStress', 'imagePullFailure'],
        }),
        selector: obj(
          {
            namespace: str("Namespace of the pods; defaults to the fault's own namespace."),
            labelSelector,
            pods: arr({ type: 'string' }, 'Pods as "namespace/name" or "name".'),
          },
          'Which pods.',
        ),
        mode,
        value,
        duration,
        containerNames: arr({ type: 'string' }, 'Containers to act on; default every app container.'),
        cpuWorkers: int('cpuStress: busy workers per container (default 1).'),
        memory: str('memoryStress: how much to allocate per container, a quantity ("64Mi").'),
      },
      'What to do to which pods, for how long.',
      ['action', 'selector'],
    ),
    status,
  },
  'PodFault kills, deletes or stresses pods, or makes their probes or image pulls fail, and reverts it.',
  ['spec'],
);

export const serviceFaultSchema: Schema = obj(
  {
    spec: obj(
      {
        service: obj({ namespace: str("Namespace of the Service; defaults to the fault's own."), name: str('Name of the Service.') }, 'The Service whose traffic is disturbed.', ['name']),
        latency: str('Added delay before each connection is forwarded, a Go duration.'),
        jitter: str('Extra uniform random delay 0..jitter, a Go duration.'),
        errorPercent: int('Percent of connections reset at once (0-100).'),
        dropPercent: int('Percent of connections black-holed (0-100).'),
        duration,
      },
      'Which Service, and the latency/errors/drops its proxied connections get.',
      ['service'],
    ),
    status,
  },
  'ServiceFault adds latency, errors or drops to the connections the service proxy forwards for a Service.',
  ['spec'],
);
