// What each subresource answers with and which verbs it takes, as the real apiserver advertises them
// (kubectl uses these entries, e.g. `kubectl scale` looks for `deployments/scale`).

export interface SubresourceShape {
  group: string;
  version: string;
  /** Kind of the object the subresource returns; undefined = the parent's kind. */
  kind?: string;
  verbs: string[];
}

const SHAPES: Record<string, (parentGroup: string, parentVersion: string) => SubresourceShape> = {
  status: (g, v) => ({ group: g, version: v, verbs: ['get', 'patch', 'update'] }),
  scale: () => ({ group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }),
  log: (g, v) => ({ group: g, version: v, verbs: ['get'] }),
  exec: () => ({ group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] }),
  attach: () => ({ group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] }),
  portforward: () => ({ group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] }),
  proxy: () => ({ group: '', version: 'v1', kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }),
  binding: () => ({ group: '', version: 'v1', kind: 'Binding', verbs: ['create'] }),
  eviction: () => ({ group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] }),
  ephemeralcontainers: (g, v) => ({ group: g, version: v, verbs: ['get', 'patch', 'update'] }),
  resize: (g, v) => ({ group: g, version: v, verbs: ['get', 'patch', 'update'] }),
  finalize: (g, v) => ({ group: g, version: v, verbs: ['update'] }),
  token: () => ({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }),
  approval: (g, v) => ({ group: g, version: v, verbs: ['get', 'patch', 'update'] }),
};

export function subresourceShape(subresource: string, parentGroup: string, parentVersion: string, parentKind: string): Required<SubresourceShape> {
  const make = SHAPES[subresource];
  const shape = make ? make(parentGroup, parentVersion) : { group: parentGroup, version: parentVersion, verbs: ['get'] };
  return { ...shape, kind: shape.kind ?? parentKind };
}

/** Verbs of a top-level resource. ResourceDef does not narrow them, so every kind takes all eight. */
export const RESOURCE_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
