// The configuration analysis of the live cluster: one Analysis (lib/analysis/engine.ts) over the
// watch caches of every kind the analyzers read, kept current from watch events: each event
// hands the engine only the object it changed, and the engine re-runs only the checks that read
// it. The Validation page, the row badges, /api/readyz and the write gate all read this one.
import { Analysis, type Change, type FindingsDiff } from '@/lib/analysis/engine';
import { K, kindOf, objectKey } from '@/lib/analysis/kinds';
import { ANALYZERS } from '@/lib/analysis/registry';
import type { AnalysisObject, Finding, Kind, ObjectMetadata } from '@/lib/analysis/types';
import type { KindNotLoaded } from '@/lib/mesh/validation';
import { cacheFor, recordRead, type CacheScope, type ChangeSource, type Projection } from './caches';
import { ApiError, toApiError } from './errors';
import { kubeRequest } from './http';
import { kubeConnection } from './kube-config';
import type { CacheChange, KubeObject, ObjectCache } from './resource-cache';
import * as r from './resources';
import { apiVersionOf, collectionPath, type ResourceDescriptor } from './resources';


export interface AnalysisStatus {
  /** Every loaded kind's cache has listed and is following its watch. */
  synced: boolean;
  loaded: Kind[];
  /** Kinds the cluster does not serve or the dashboard may not list, and why (the page and /api/readyz name them). */
  notLoaded: KindNotLoaded[];
  objects: number;
  findings: number;
  /** Why a loaded kind's cache is not synced (its watch or relist is failing), if one is not. */
  lastError?: string;
}

/** The live cluster's analysis (one per process). */
export interface ClusterAnalysis extends ChangeSource {
  /** Every current finding, most severe first. */
  findings(): readonly Finding[];
  /** The findings reported on one object; `kind` as analyzers name it (`networking.istio.io/VirtualService`, `Service`). */
  findingsFor(kind: Kind, namespace: string | undefined, name: string): readonly Finding[];
  /** What the findings would become after `changes` (nothing is kept): the write gate's question. */
  preview(changes: readonly Change[]): FindingsDiff;
  status(): AnalysisStatus;
  /** Goes up each time the findings, or the kinds loaded, change. */
  readonly version: number;
  /** Calls the listener after the findings (or the kinds loaded) changed. */
  subscribe(listener: () => void): () => void;
}

// ---- What is watched, and how much of each object is kept ----

const keepDefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

interface PodContainer {
  name?: string;
  image?: string;
  ports?: unknown;
  securityContext?: unknown;
}
interface PodShape extends KubeObject {
  spec?: { containers?: PodContainer[]; initContainers?: PodContainer[]; securityContext?: unknown };
  status?: { phase?: string };
}
const container = (c: PodContainer): PodContainer => keepDefined({ name: c.name, image: c.image, ports: c.ports, securityContext: c.securityContext });

/**
 * Pods are the largest kind the analysis reads (the bench runs 5,000): only what analyzers look
 * at is kept (labels, annotations and owners in metadata; each container's name, image, ports and
 * securityContext; the pod's securityContext; its phase), not env, volumes, probes or conditions.
 */
export const POD_PROJECTION: Projection = {
  id: 'analysis-pod',
  keep<T extends KubeObject>(object: T): T {
    const pod = object as PodShape;
    const spec = pod.spec ?? {};
    return keepDefined({
      apiVersion: pod.apiVersion,
      kind: pod.kind,
      metadata: pod.metadata,
      spec: keepDefined({
        containers: spec.containers?.map(container),
        initContainers: spec.initContainers?.map(container),
        securityContext: spec.securityContext,
      }),
      status: pod.status?.phase ? { phase: pod.status.phase } : undefined,
    }) as unknown as T;
  },
};

/**
 * ConfigMaps: the analyzers read Istio's own (the mesh config `istio` or `istio-<revision>`, the
 * injector's `istio-sidecar-injector…`); every other ConfigMap (audit entries among them) is kept
 * as metadata only, so its data is not held twice.
 */
export const CONFIG_MAP_PROJECTION: Projection = {
  id: 'analysis-configmap',
  keep<T extends KubeObject>(object: T): T {
    const name = object.metadata?.name ?? '';
    if (name === 'istio' || name.startsWith('istio-')) return object;
    const { data: _data, binaryData: _binary, ...rest } = object as T & { data?: unknown; binaryData?: unknown };
    return rest as T;
  },
};

/** CRDs: names and versions (the Gateway API version check), not their OpenAPI schemas (often 100 kB each). */
export const CRD_PROJECTION: Projection = {
  id: 'analysis-crd',
  keep<T extends KubeObject>(object: T): T {
    const crd = object as T & { spec?: { group?: string; names?: unknown; scope?: string; versions?: { name?: string; served?: boolean; storage?: boolean }[] } };
    const spec = crd.spec ?? {};
    return {
      ...crd,
      spec: keepDefined({
        group: spec.group,
        names: spec.names,
        scope: spec.scope,
        versions: spec.versions?.map((v) => keepDefined({ name: v.name, served: v.served, storage: v.storage })),
      }),
    };
  },
};

/** Webhook configurations without their CA bundles (certificates no analyzer reads). */
export const WEBHOOK_PROJECTION: Projection = {
  id: 'analysis-webhook',
  keep<T extends KubeObject>(object: T): T {
    const config = object as T & { webhooks?: { clientConfig?: { caBundle?: string } }[] };
    if (!config.webhooks) return object;
    return {
      ...config,
      webhooks: config.webhooks.map((w) => {
        if (!w.clientConfig?.caBundle) return w;
        const { caBundle: _ca, ...clientConfig } = w.clientConfig;
        return { ...w, clientConfig };
      }),
    };
  },
};

interface Watched {
  kind: Kind;
  /** The served version first, then older ones to fall back to when it is not served (404). */
  descriptors: ResourceDescriptor[];
  scope?: CacheScope;
}

const olderVersions = (descriptor: ResourceDescriptor, ...versions: string[]) => [descriptor, ...versions.map((version) => ({ ...descriptor, version }))];
const plain = (kind: Kind, descriptor: ResourceDescriptor, scope?: CacheScope): Watched => ({ kind, descriptors: [descriptor], ...(scope ? { scope } : {}) });
/** Kinds served as `v1` by current releases, read through `older` where only that is served. */
const fallingBackTo = (older: string, kinds: [Kind, ResourceDescriptor][]): Watched[] =>
  kinds.map(([kind, descriptor]) => ({ kind, descriptors: olderVersions(descriptor, older) }));

/** Every kind of lib/analysis/kinds.ts, with where it is read and how much of it is kept. */
export const WATCHED: readonly Watched[] = [
  ...[plain(K.Namespace, r.namespaces), plain(K.Service, r.services), plain(K.Endpoints, r.endpoints), plain(K.Deployment, r.deployments)],
  plain(K.Pod, r.pods, { projection: POD_PROJECTION }),
  plain(K.ConfigMap, r.configMaps, { projection: CONFIG_MAP_PROJECTION }),
  // Never the key material: a Secret's existence and labels are all the console holds.
  plain(K.Secret, r.secrets, { metadataOnly: true }),
  // Principals name service accounts: their existence is what is read.
  plain(K.ServiceAccount, r.serviceAccounts, { metadataOnly: true }),
  plain(K.MutatingWebhookConfiguration, r.mutatingWebhookConfigurations, { projection: WEBHOOK_PROJECTION }),
  plain(K.ValidatingWebhookConfiguration, r.validatingWebhookConfigurations, { projection: WEBHOOK_PROJECTION }),
  plain(K.CustomResourceDefinition, r.customResourceDefinitions, { projection: CRD_PROJECTION }),
  ...[plain(K.EnvoyFilter, r.envoyFilters), plain(K.ProxyConfig, r.proxyConfigs), plain(K.WasmPlugin, r.wasmPlugins), plain(K.TCPRoute, r.tcpRoutes)],
  // Istio before 1.22 serves networking and security as v1beta1 only.
  ...fallingBackTo('v1beta1', [
    [K.VirtualService, r.virtualServices], [K.DestinationRule, r.destinationRules], [K.Gateway, r.gateways], [K.ServiceEntry, r.serviceEntries],
    [K.Sidecar, r.sidecars], [K.WorkloadEntry, r.workloadEntries], [K.WorkloadGroup, r.workloadGroups],
    [K.PeerAuthentication, r.peerAuthentications], [K.RequestAuthentication, r.requestAuthentications], [K.AuthorizationPolicy, r.authorizationPolicies],
    [K.KubernetesGateway, r.kubernetesGateways], [K.GatewayClass, r.gatewayClasses], [K.HTTPRoute, r.httpRoutes],
  ]),
  ...fallingBackTo('v1alpha1', [[K.Telemetry, r.telemetries]]),
  ...fallingBackTo('v1alpha2', [[K.GRPCRoute, r.grpcRoutes]]),
  ...fallingBackTo('v1alpha3', [[K.TLSRoute, r.tlsRoutes]]),
];

// ---- Loading a kind ----

type Loaded = { cache: ObjectCache<KubeObject>; descriptor: ResourceDescriptor };
type Failed = { reason: string; error: ApiError; permanent: boolean };

/** Why a list failed, from the API's own answer: a cache only says that its first list failed. */
async function whyNotListed(descriptor: ResourceDescriptor, scope: CacheScope | undefined, error: ApiError): Promise<ApiError> {
  const connection = kubeConnection();
  if (!connection.configured) return error;
  try {
    await kubeRequest({
      path: collectionPath(descriptor, connection.namespaces?.[0]),
      query: { limit: 1 },
      accept: scope?.metadataOnly ? 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json' : undefined,
      timeoutMs: 10_000,
    });
    return error; // it lists now: the failure was passing
  } catch (probe) {
    return toApiError(probe);
  }
}

async function load(watched: Watched): Promise<Loaded | Failed> {
  let last: Failed | undefined;
  for (const descriptor of watched.descriptors) {
    try {
      return { cache: await cacheFor<KubeObject>(descriptor, watched.scope), descriptor };
    } catch (thrown) {
      const error = await whyNotListed(descriptor, watched.scope, toApiError(thrown));
      const resource = `${descriptor.plural}.${descriptor.group || 'core'}/${descriptor.version}`;
      if (error.status === 404) {
        last ??= { reason: `the cluster does not serve ${resource} (404)`, error, permanent: true };
        continue; // an older version may be served
      }
      if (error.status === 403) return { reason: `the dashboard may not list ${resource} (403): ${error.message}`, error, permanent: true };
      return { reason: `${resource} could not be listed: ${error.message}`, error, permanent: false };
    }
  }
  return last!;
}

/**
 * The object as analyzers see it: kind and apiVersion from where it was read (core list items and
 * metadata-only answers lack their own, or name PartialObjectMetadata). Custom resources carry
 * theirs: the cached object itself is used, not a copy.
 */
function asAnalysisObject(descriptor: ResourceDescriptor, object: KubeObject): AnalysisObject {
  const apiVersion = apiVersionOf(descriptor);
  if (object.apiVersion === apiVersion && object.kind === descriptor.kind) return object as AnalysisObject;
  return { ...(object as Omit<AnalysisObject, 'metadata'>), apiVersion, kind: descriptor.kind, metadata: object.metadata as ObjectMetadata };
}

const nameKey = (object: KubeObject) => `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

// Whether an event changed anything analyzers read: a Pod's status conditions or a resync bump
// only the resourceVersion of what is kept, and re-running every check reading it would be waste.
function sameContent(a: AnalysisObject, b: AnalysisObject): boolean {
  const withoutVersion = (o: AnalysisObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return withoutVersion(a) === withoutVersion(b);
}

// A kind that failed is tried again this often (a CRD installed later, a passing error).
const RETRY_MS = 60_000;

interface Followed {
  descriptor: ResourceDescriptor;
  cache: ObjectCache<KubeObject>;
  /** What the analysis holds of this kind, by namespace/name: a relist is compared with it. */
  seen: Map<string, AnalysisObject>;
  unsubscribe: () => void;
}

class LiveAnalysis implements ClusterAnalysis {
  private analysis: Analysis;
  private readonly followed = new Map<Kind, Followed>();
  private readonly notLoaded = new Map<Kind, Failed>();
  private readonly pending = new Map<string, Change>();
  private flushScheduled = false;
  private readonly listeners = new Set<() => void>();
  private byObject: Map<string, Finding[]> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  version = 0;

  constructor(results: ReadonlyMap<Watched, Loaded | Failed>) {
    for (const [watched, result] of results) {
      if ('cache' in result) this.follow(watched.kind, result);
      else this.notLoaded.set(watched.kind, result);
    }
    this.analysis = this.build();
    this.scheduleRetry();
  }

  findings(): readonly Finding[] {
    this.flush();
    return this.analysis.findings();
  }

  findingsFor(kind: Kind, namespace: string | undefined, name: string): readonly Finding[] {
    this.flush();
    if (!this.byObject) {
      this.byObject = new Map();
      for (const finding of this.analysis.findings()) {
        const key = objectKey(kindOf(finding.origin), finding.origin.namespace, finding.origin.name);
        let list = this.byObject.get(key);
        if (!list) this.byObject.set(key, (list = []));
        list.push(finding);
      }
    }
    return this.byObject.get(objectKey(kind, namespace, name)) ?? [];
  }

  preview(changes: readonly Change[]): FindingsDiff {
    this.flush();
    return this.analysis.preview(changes);
  }

  status(): AnalysisStatus {
    const states = [...this.followed.values()].map((f) => f.cache.state());
    const failing = states.find((s) => !s.synced || s.lastError);
    return {
      synced: states.every((s) => s.synced),
      loaded: [...this.followed.keys()].sort(),
      notLoaded: [...this.notLoaded].map(([kind, failed]) => ({ kind, reason: failed.reason })).sort((a, b) => a.kind.localeCompare(b.kind)),
      objects: this.analysis.size,
      findings: this.findings().length,
      ...(failing?.lastError ? { lastError: failing.lastError } : {}),
    };
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private build(): Analysis {
    const objects: AnalysisObject[] = [];
    for (const followed of this.followed.values()) objects.push(...followed.seen.values());
    return new Analysis(ANALYZERS, objects, { kinds: this.followed.keys() });
  }

  private follow(kind: Kind, { cache, descriptor }: Loaded) {
    const seen = new Map<string, AnalysisObject>();
    for (const object of cache.list()) seen.set(nameKey(object), asAnalysisObject(descriptor, object));
    const unsubscribe = cache.subscribe((change) => (change ? this.changed(kind, change) : this.relisted(kind)));
    this.followed.set(kind, { descriptor, cache, seen, unsubscribe });
  }

  /** One watch event: the changed object goes to the engine (batched with the others of this tick). */
  private changed(kind: Kind, change: CacheChange<KubeObject>) {
    const followed = this.followed.get(kind);
    if (!followed) return;
    const key = nameKey(change.object);
    const object = asAnalysisObject(followed.descriptor, change.object);
    if (change.type === 'DELETED') {
      if (!followed.seen.delete(key)) return;
      this.queue({ type: 'delete', object });
      return;
    }
    const before = followed.seen.get(key);
    followed.seen.set(key, object);
    if (!before || !sameContent(before, object)) this.queue({ type: 'upsert', object });
  }

  /** A relist: the cache is compared with what the analysis holds, by resourceVersion. */
  private relisted(kind: Kind) {
    const followed = this.followed.get(kind);
    if (!followed) return;
    const present = new Set<string>();
    for (const item of followed.cache.list()) {
      const key = nameKey(item);
      present.add(key);
      const before = followed.seen.get(key);
      if (before?.metadata.resourceVersion === item.metadata?.resourceVersion) continue;
      this.changed(kind, { type: before ? 'MODIFIED' : 'ADDED', object: item });
    }
    for (const [key, object] of followed.seen) {
      if (present.has(key)) continue;
      followed.seen.delete(key);
      this.queue({ type: 'delete', object });
    }
  }

  private queue(change: Change) {
    this.pending.set(objectKey(kindOf(change.object), change.object.metadata.namespace, change.object.metadata.name), change);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // A burst of events (a kubectl apply of many objects, a relist) becomes one re-analysis.
    setImmediate(() => this.flush());
  }

  /** Hands the waiting changes to the engine; a reader calls it first, so it never sees a stale answer. */
  private flush() {
    this.flushScheduled = false;
    if (this.pending.size === 0) return;
    const changes = [...this.pending.values()];
    this.pending.clear();
    const diff = this.analysis.apply(changes);
    if (diff.added.length || diff.removed.length) this.changedFindings();
  }

  private changedFindings() {
    this.version++;
    this.byObject = undefined;
    for (const listener of this.listeners) listener();
  }

  /** Kinds that could not be read are tried again; one that loads means a new analysis (what was "not loaded" may now be missing). */
  private scheduleRetry() {
    clearTimeout(this.retryTimer);
    if (this.notLoaded.size === 0) return;
    this.retryTimer = setTimeout(() => void this.retry(), RETRY_MS);
    this.retryTimer.unref?.();
  }

  private async retry() {
    const attempts = await Promise.all(WATCHED.filter((w) => this.notLoaded.has(w.kind)).map(async (w) => [w, await load(w)] as const));
    let gained = false;
    for (const [watched, result] of attempts) {
      if ('cache' in result) {
        this.notLoaded.delete(watched.kind);
        this.follow(watched.kind, result);
        gained = true;
      } else {
        this.notLoaded.set(watched.kind, result);
      }
    }
    if (gained) {
      this.flush();
      this.analysis = this.build();
      this.changedFindings();
    }
    this.scheduleRetry();
  }
}

const globalKey = Symbol.for('meshdeck.clusterAnalysis');
type GlobalWithAnalysis = typeof globalThis & { [globalKey]?: Promise<LiveAnalysis> };

async function startAnalysis(): Promise<LiveAnalysis> {
  const results = new Map(await Promise.all(WATCHED.map(async (watched) => [watched, await load(watched)] as const)));
  const failures = [...results.values()].filter((result): result is Failed => !('cache' in result));
  if (failures.length === results.size) {
    // Nothing could be read: the cluster is unreachable (or refuses everything); say why, try again on the next call.
    throw failures.find((f) => !f.permanent)?.error ?? new ApiError(503, `No kind the analysis reads could be listed: ${failures[0]?.reason ?? ''}`);
  }
  return new LiveAnalysis(results);
}

/** The analysis if something has started it (none yet: undefined); a probe reads it without starting it. */
export function startedAnalysis(): Promise<ClusterAnalysis> | undefined {
  return (globalThis as GlobalWithAnalysis)[globalKey];
}

/**
 * The live cluster's analysis, started on first use and kept for the process (watch caches of
 * every analyzed kind; Gateway API or any other kind the cluster does not serve or forbids is
 * left out and named in `status().notLoaded`). Throws an ApiError (503) while nothing can be
 * read; the next call tries again. A live view reading it is pushed again when findings change.
 */
export async function clusterAnalysis(): Promise<ClusterAnalysis> {
  const g = globalThis as GlobalWithAnalysis;
  const started = (g[globalKey] ??= startAnalysis());
  let analysis: LiveAnalysis;
  try {
    analysis = await started;
  } catch (error) {
    if (g[globalKey] === started) delete g[globalKey];
    throw toApiError(error);
  }
  recordRead(analysis);
  return analysis;
}
