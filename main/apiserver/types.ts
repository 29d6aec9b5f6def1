// Contracts between the generic REST machinery (main/apiserver), the per-kind registry
// (main/apiserver/registry) and the clients that call the API in-process (main/client).
import type { FieldError } from '../../shared/api/errors';
import type { KubeObject, WatchEvent } from '../../shared/api/meta';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export type PatchType =
  | 'application/json-patch+json'
  | 'application/merge-patch+json'
  | 'application/strategic-merge-patch+json'
  | 'application/apply-patch+yaml';

/** What a request addresses, as k8s.io/apiserver's RequestInfo. Core group is ''. */
export interface RequestInfo {
  verb: Verb;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/**
 * One API call, already parsed from HTTP (or built by the in-process client). Both paths go through
 * the same ApiHandler so validation, defaulting, admission and resourceVersion semantics are identical.
 */
export interface ApiRequest extends RequestInfo {
  /** Query parameters as Kubernetes names them: labelSelector, fieldSelector, limit, continue,
   * resourceVersion, allowWatchBookmarks, timeoutSeconds, dryRun, fieldManager, force,
   * propagationPolicy, gracePeriodSeconds, container, follow, ... */
  query?: Record<string, string | undefined>;
  /** Parsed body: the object for create/update, the patch document for patch, DeleteOptions for delete. */
  body?: unknown;
  patchType?: PatchType;
  /** Authenticated user name (the lab has one admin user; components use `system:<component>`). */
  user?: string;
  /** Ask for a meta.k8s.io/v1 Table instead of objects (kubectl get). */
  asTable?: boolean;
  /** How the HTTP layer decoded the body, as far as fieldValidation needs to know (repeated keys, YAML). */
  bodyDecoding?: BodyDecoding;
  /**
   * Receives the warnings of this request (fieldValidation=Warn findings), which HTTP sends as
   * `Warning: 299 - "<text>"` headers as Kubernetes does; in-process callers may leave it unset.
   */
  onWarning?(text: string): void;
  /**
   * watch only: the caller treats event objects as read-only (an informer cache), so the handler may hand
   * every such watcher the same deep-frozen object per event instead of a private copy each. With one
   * kubelet informer per node and several controllers watching pods, the copies were most of the lab's
   * memory and a JSON.parse per watcher per event.
   */
  sharedObjects?: boolean;
}

/** What fieldValidation needs to know about how a request body was decoded. */
export interface BodyDecoding {
  /** The body was YAML: Kubernetes converts it through a Go map, so unknown fields come in sorted order. */
  yaml?: boolean;
  /** JSON text that repeats a key: Kubernetes reports duplicates interleaved with unknown fields in
   * document order, so the text is rescanned (kept only in this rare case). */
  duplicateJson?: string;
  /** go-yaml's lines for repeated YAML keys (`line 12: key "paused" already set in map`). */
  yamlDuplicates?: string[];
}

export interface ApiWatch {
  stop(): void;
}

export interface ApiHandler {
  /** get/list/create/update/patch/delete/deletecollection. Throws ApiError. */
  handle(request: ApiRequest): Promise<unknown>;
  /**
   * watch: events from request.query.resourceVersion (absent or "0": synthetic ADDED for the current
   * state first, as Kubernetes does). `onClose` is called once, with an ApiError when the watch ends
   * abnormally (e.g. 410 Expired).
   * Each event's object is this watcher's own copy (as handle() returns copies): informers freeze
   * it in place for their caches instead of paying for another deep copy per event. With
   * request.sharedObjects it may instead be a deep-frozen object shared with other watchers.
   */
  watch(request: ApiRequest, onEvent: (event: WatchEvent) => void, onClose: (error?: unknown) => void): ApiWatch;
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: 'name' | string;
  description?: string;
  /** 0: always shown; 1: only with `-o wide`. */
  priority: 0 | 1;
  /** Cell value; dates as RFC 3339 strings (kubectl renders AGE itself from `date` columns). */
  cell(object: KubeObject, now: Date): unknown;
}

/** Per-kind behaviour: the registry/<kind>.ts "strategy" of k8s.io/apiserver. */
export interface ResourceDef {
  group: string;
  version: string;
  /** Plural lower-case resource name, e.g. "deployments". */
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served, e.g. ['status', 'scale']; routes for others may be registered at runtime. */
  subresources?: string[];
  /** Whether spec changes bump metadata.generation (workloads and most spec-bearing kinds). */
  tracksGeneration?: boolean;
  /** Create keeps the posted status (Nodes: a kubelet, or a user adding a lab node, registers it with its
   * capacity); every other kind with a status subresource starts with an empty one, as in Kubernetes. */
  keepsStatusOnCreate?: boolean;
  /** Fill Kubernetes defaults in place; called on every create and update after patches apply. */
  defaults?(object: KubeObject): void;
  /** Strategy PrepareForCreate: runs after defaults() once metadata.uid/name are assigned (e.g. the Job's
   * generated `batch.kubernetes.io/controller-uid` selector needs the uid). */
  prepareForCreate?(object: KubeObject): void;
  /** Strategy PrepareForUpdate: carry over what the server owns from the stored object before validation
   * (e.g. a Service's allocated clusterIP/nodePorts when the new object leaves them empty). */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  /** Field errors of an object (create, and the new object of an update). */
  validate?(object: KubeObject): FieldError[];
  /** Extra field errors of an update, e.g. immutable fields. */
  validateUpdate?(object: KubeObject, old: KubeObject): FieldError[];
  /** Field paths accepted by fieldSelector beyond metadata.name and metadata.namespace. */
  selectableFields?: string[];
  /** True when kubectl shows no leading NAME column for this kind (core/v1 events: LAST SEEN TYPE REASON
   * OBJECT MESSAGE); the server then must not prepend Name and `columns` carry it where kubectl does. */
  omitNameColumn?: boolean;
  /** Columns for `kubectl get` (Table responses) after NAME, which the server adds first; include an
   * `Age` date column where kubectl shows one (pods: READY STATUS RESTARTS AGE, then IP NODE at priority 1). */
  columns?: TableColumn[];
  /** PUT of a missing object creates it (Kubernetes: true only for a few kinds, e.g. Endpoints, Leases, Events). */
  allowCreateOnUpdate?: boolean;
  /** Verbs discovery advertises (default: all of them); read-only virtual kinds say ['get', 'list']. */
  verbs?: string[];
  /**
   * OpenAPI v3 schema of the kind (a structural schema as a CRD declares one) for kinds without a built-in
   * protobuf definition (chaos.bosun.dev): published in /openapi (kubectl explain) and used by strict field
   * validation. `metadata` may be omitted: ObjectMeta is filled in.
   */
  schema?: Record<string, unknown>;
  /** For the scale subresource: where replicas and the selector live. */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
}
