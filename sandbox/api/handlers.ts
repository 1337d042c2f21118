// The resource operations of the Kubernetes REST API over the Store. Objects are stored once,
// in their kind's storage version, and shown in whichever served version the request names.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { isDnsLabel, isDnsSubdomain, isLabelValue } from '../../lib/mesh/names.ts';
import { recordUpdate, serverSideApply } from './apply.ts';
import { partialObjectMetadata, type Rendering } from './negotiation.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, deepEqual, isObject } from './patch.ts';
import { apiVersionOf, storageApiVersion, typeKey, type ResourceRegistry, type ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import {
  StatusError,
  alreadyExists,
  badRequest,
  conflict,
  details,
  invalid,
  notFound,
  patchNotApplicable,
  successStatus,
  unsupportedMediaType,
} from './status.ts';
import type { ChangeEvent, KubeObject, Store } from './store.ts';
import { toTable } from './table.ts';

export interface RequestContext {
  type: ResourceType;
  version: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  query: URLSearchParams;
  user: { username: string; groups: string[] };
  manager: string;
  /** What get, list and watch answer (from Accept): the objects, a Table, or their metadata only. */
  as?: Rendering;
  /** Warning headers for the response (unknown fields pruned under fieldValidation=Warn). */
  warnings: string[];
}

export interface WriteHooks {
  /** Fills in server-assigned fields of a new object (like a mutating admission plugin). */
  admit?(ctx: RequestContext, object: KubeObject): void;
  /** Called after every stored write, with the verb (for Events and controllers). */
  afterWrite(ctx: RequestContext, verb: 'create' | 'update' | 'patch' | 'apply' | 'delete', object: KubeObject, detail?: string): void;
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
const BOOKMARK_INTERVAL_MS = 60_000; // kube-apiserver's watch cache sends one about every minute
const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const resourceName = (ctx: RequestContext) => ctx.type.plural;
const requestApiVersion = (ctx: RequestContext) => apiVersionOf(ctx.type, ctx.version);
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
// etcd lists are sorted by key (namespace/name), byte-wise.
const sortKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
function sortedByKey(objects: KubeObject[]): { key: string; object: KubeObject }[] {
  return objects.map((object) => ({ key: sortKey(object), object })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** What the client sees: the stored object in the requested version. */
export function present(object: KubeObject, type: ResourceType, version: string): KubeObject {
  const converted = type.storedAs ? type.storedAs.fromStorage(object) : object;
  return { ...converted, apiVersion: apiVersionOf(type, version) };
}

/** The stored form of an object received through any served version (Istio's versions share one schema). */
function toStorage(type: ResourceType, object: KubeObject): KubeObject {
  return type.storedAs ? type.storedAs.toStorage(object) : { ...object, apiVersion: storageApiVersion(type) };
}

function parseResourceVersion(value: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`invalid resource version: strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

const tooLargeResourceVersion = (requested: number, current: string) =>
  new StatusError(504, `Timeout: Too large resource version: ${requested}, current: ${current}`, 'Timeout', {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });

// Continue tokens carry the resourceVersion the list was read at, as kube-apiserver's do.
const encodeContinue = (rv: number, start: string) => Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof decoded.rv === 'number' && typeof decoded.start === 'string') return { rv: decoded.rv, start: decoded.start };
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function decodeJson(raw: string, what: 'patch' | 'body'): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    throw badRequest(`error decoding ${what}: ${(error as Error).message}`);
  }
}

/** Applies a patch of one of PATCH_TYPES to a document. */
function patchDocument(type: string, document: unknown, patch: unknown): unknown {
  if (type === 'application/merge-patch+json') return applyMergePatch(document, patch);
  if (type === 'application/strategic-merge-patch+json') return applyStrategicMergePatch(document, patch);
  try {
    return applyJsonPatch(document, patch);
  } catch (error) {
    // kube-apiserver does not say why a JSON patch could not be applied.
    if (error instanceof StatusError && error.code === 422) throw patchNotApplicable();
    throw error;
  }
}

function scaleOf(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 1 },
    status: {
      replicas: (object.status as { replicas?: number } | undefined)?.replicas ?? 0,
      selector: Object.entries(spec.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

export class Handlers {
  private readonly store: Store;
  private readonly registry: ResourceRegistry;
  private readonly hooks: WriteHooks;

  constructor(store: Store, registry: ResourceRegistry, hooks: WriteHooks) {
    this.store = store;
    this.registry = registry;
    this.hooks = hooks;
  }

  private namespaceType(): ResourceType {
    return this.registry.byPath('', 'v1', 'namespaces')!;
  }

  /** NamespaceLifecycle admission: nothing is created in a namespace that does not exist. */
  private requireNamespace(ctx: RequestContext): void {
    if (!ctx.type.namespaced || !ctx.namespace) return;
    if (!this.store.get(this.namespaceType(), undefined, ctx.namespace)) throw notFound('namespaces', ctx.namespace, '');
  }

  private render(ctx: RequestContext, object: KubeObject): unknown {
    if (ctx.as === 'Table') return toTable(ctx.type, [object], { resourceVersion: object.metadata.resourceVersion });
    if (ctx.as === 'PartialObjectMetadata') return partialObjectMetadata(object);
    return object;
  }

  get(ctx: RequestContext): unknown {
    const object = this.store.get(ctx.type, ctx.namespace, ctx.name!);
    if (!object) throw notFound(resourceName(ctx), ctx.name!, ctx.type.group);
    return this.render(ctx, present(object, ctx.type, ctx.version));
  }

  /**
   * A list with kube-apiserver's resourceVersion semantics: none reads the latest state,
   * paged by limit and continue (consistent at the first page's version); "0" serves the
   * watch cache (limit ignored); resourceVersionMatch=Exact reads a past version; a version
   * the server has not reached is 504, one older than its history 410.
   */
  list(ctx: RequestContext): unknown {
    const labels = parseLabelSelector(ctx.query.get('labelSelector'));
    const fields = parseFieldSelector(ctx.query.get('fieldSelector'));
    const requested = ctx.query.get('resourceVersion') ?? '';
    const token = ctx.query.get('continue');
    const limit = Math.max(0, Math.floor(Number(ctx.query.get('limit') ?? 0)) || 0);
    const current = this.store.currentVersion();
    let at = Number(current);
    let start: string | undefined;
    if (token) {
      if (requested) throw badRequest('specifying resource version is not allowed when using continue');
      ({ rv: at, start } = decodeContinue(token));
    } else if (requested && requested !== '0') {
      const rv = parseResourceVersion(requested);
      if (rv > at) throw tooLargeResourceVersion(rv, current);
      if (ctx.query.get('resourceVersionMatch') === 'Exact') at = rv;
    }
    const state = at === Number(current) ? this.store.list(ctx.type, ctx.namespace) : this.store.listAt(ctx.type, at, ctx.namespace);
    if (!state) {
      if (token) throw new StatusError(410, CONTINUE_EXPIRED, 'Expired', undefined, { continue: encodeContinue(Number(current), start!) });
      throw new StatusError(410, 'The resourceVersion for the provided list is too old.', 'Expired');
    }
    const all = sortedByKey(state.filter((o) => labels(o.metadata.labels) && fields(o)));
    const from = start === undefined ? 0 : all.findIndex((o) => o.key > start);
    const rest = from < 0 ? [] : all.slice(from);
    // The watch cache, which serves resourceVersion=0, cannot page.
    const page = limit > 0 && requested !== '0' ? rest.slice(0, limit) : rest;
    const remaining = rest.length - page.length;
    const next = remaining > 0 ? encodeContinue(at, page[page.length - 1]!.key) : undefined;
    const resourceVersion = String(at);
    // Custom resource lists always carry continue (empty at the end); typed lists only while paging.
    const metadata: Record<string, unknown> = ctx.type.crd
      ? { continue: next ?? '', ...(next ? { remainingItemCount: remaining } : {}), resourceVersion }
      : { resourceVersion, ...(next ? { continue: next, remainingItemCount: remaining } : {}) };
    const items = page.map(({ object }) => present(object, ctx.type, ctx.version));
    if (ctx.as === 'Table') return toTable(ctx.type, items, metadata);
    if (ctx.as === 'PartialObjectMetadata')
      return { kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata, items: items.map(partialObjectMetadata) };
    // Items of typed (built-in) lists carry no kind and apiVersion; custom resources' do.
    const listed = ctx.type.crd ? items : items.map(({ kind: _kind, apiVersion: _apiVersion, ...item }) => item);
    return { kind: ctx.type.listKind, apiVersion: requestApiVersion(ctx), metadata, items: listed };
  }

  /**
   * Starts a watch; `send` gets each event; returns the unsubscribe function. Throws (before
   * sending anything) for a bad request. An object that stops or starts matching the
   * selectors arrives as DELETED or ADDED; bookmarks come only when the kind's
   * resourceVersion moved past the last one the client saw.
   */
  watch(ctx: RequestContext, send: (event: Record<string, unknown>) => void, close: () => void): () => void {
    const labels = parseLabelSelector(ctx.query.get('labelSelector'));
    const fields = parseFieldSelector(ctx.query.get('fieldSelector'));
    const matches = (o: KubeObject | undefined) =>
      o !== undefined && labels(o.metadata.labels) && fields(o) && (ctx.name === undefined || o.metadata.name === ctx.name);
    const encode = (type: string, object: KubeObject) => ({ type, object: this.render(ctx, present(object, ctx.type, ctx.version)) });
    const requested = ctx.query.get('resourceVersion');
    const since = requested && requested !== '0' ? parseResourceVersion(requested) : undefined;

    let seen = since ?? Number(this.store.currentVersion());
    const deliver = (event: ChangeEvent) => {
      const after = matches(event.object);
      const before = event.type === 'MODIFIED' ? matches(event.previous) : after;
      if (after && before) send(encode(event.type, event.object));
      else if (after) send(encode('ADDED', event.object));
      else if (before) send(encode('DELETED', event.object));
      else return;
      seen = event.rv;
    };

    if (since === undefined) {
      // No version: the current state as ADDED events, then changes.
      for (const object of this.store.list(ctx.type, ctx.namespace).filter(matches)) send(encode('ADDED', object));
    } else {
      const backlog = this.store.changesSince(ctx.type, since, ctx.namespace);
      if (!backlog) {
        // Expired history is an event in a 200 stream, not an HTTP 410.
        send({ type: 'ERROR', object: new StatusError(410, `too old resource version: ${since} (${this.store.oldestResumable()})`, 'Expired').toStatus() });
        close();
        return () => undefined;
      }
      for (const event of backlog) deliver(event);
    }
    const unsubscribe = this.store.watch({ key: typeKey(ctx.type), namespace: ctx.namespace, deliver });

    const timers: NodeJS.Timeout[] = [];
    if (ctx.query.get('allowWatchBookmarks') === 'true') {
      const bookmark = () => {
        const latest = this.store.latestVersionOf(typeKey(ctx.type));
        if (latest <= seen) return;
        seen = latest;
        const object = { kind: ctx.type.kind, apiVersion: requestApiVersion(ctx), metadata: { resourceVersion: String(latest) } };
        send({ type: 'BOOKMARK', object: ctx.as === 'PartialObjectMetadata' ? partialObjectMetadata(object) : object });
      };
      timers.push(setInterval(bookmark, BOOKMARK_INTERVAL_MS));
      const timeout = Number(ctx.query.get('timeoutSeconds') ?? 0);
      // Like the watch cache, one more bookmark shortly before the watch times out.
      if (timeout > 2) timers.push(setTimeout(bookmark, (timeout - 2) * 1000));
    }
    const timeout = Number(ctx.query.get('timeoutSeconds') ?? 0);
    if (timeout > 0) timers.push(setTimeout(close, timeout * 1000));
    for (const timer of timers) timer.unref();
    return () => {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
    };
  }

  /** The body as an object of the request's kind and version, with name and namespace from the URL. */
  private checkIdentity(ctx: RequestContext, body: unknown, forName?: string): KubeObject {
    if (!isObject(body)) throw badRequest('the request body must be a JSON object');
    const object = structuredClone(body) as KubeObject;
    const expected = requestApiVersion(ctx);
    if (object.apiVersion !== undefined && object.apiVersion !== expected)
      throw badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expected})`);
    if (object.kind !== undefined && object.kind !== ctx.type.kind)
      throw badRequest(`the kind in the data (${object.kind}) does not match the expected kind (${ctx.type.kind})`);
    object.apiVersion = expected;
    object.kind = ctx.type.kind;
    if (!isObject(object.metadata)) object.metadata = { name: '' };
    const meta = object.metadata;
    if (ctx.type.namespaced) {
      if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace)
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      meta.namespace = ctx.namespace ?? meta.namespace;
      if (!meta.namespace) throw badRequest('a namespace is required for namespaced objects');
    } else {
      delete meta.namespace;
    }
    if (forName !== undefined) {
      if (meta.name && meta.name !== forName) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${forName})`);
      meta.name = forName;
    }
    return object;
  }

  /**
   * Schema (CRDs) and name validation, in the request's version; returns the object with
   * nulls and unknown fields pruned. Unknown fields are refused only under
   * fieldValidation=Strict (kubectl's default); otherwise (Warn, the API's default) they are
   * pruned with a Warning header, or silently (Ignore).
   */
  private validate(ctx: RequestContext, object: KubeObject): KubeObject {
    const name = object.metadata.name;
    const causes: { field: string; message: string; reason?: string }[] = [];
    const validName = ctx.type.kind === 'Namespace' ? isDnsLabel : isDnsSubdomain;
    // RBAC objects are named by path segments ("system:basic-user"), everything else by DNS names.
    const pathSegmentName = ctx.type.group === 'rbac.authorization.k8s.io';
    if (!name)
      causes.push({ field: 'metadata.name', message: 'metadata.name: Required value: name or generateName is required', reason: 'FieldValueRequired' });
    else if (pathSegmentName) {
      if (/[/%]/.test(name) || name === '.' || name === '..')
        causes.push({ field: 'metadata.name', message: `metadata.name: Invalid value: "${name}": may not contain '/' or '%', and may not be '.' or '..'` });
    } else if (!validName(name)) {
      causes.push({
        field: 'metadata.name',
        message: `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 ${ctx.type.kind === 'Namespace' ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      });
    }
    for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
      if (typeof value !== 'string' || !isLabelValue(value))
        causes.push({
          field: `metadata.labels`,
          message: `metadata.labels: Invalid value: "${String(value)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.' (label ${key})`,
        });
    }
    let result = object;
    if (ctx.type.crd) {
      const { object: pruned, errors } = this.registry.crds.validate(object);
      result = pruned as KubeObject;
      const unknown = errors.filter((e) => e.type === 'FieldValueUnknown');
      const mode = ctx.query.get('fieldValidation') ?? 'Warn';
      if (unknown.length > 0 && mode === 'Strict') {
        throw badRequest(
          `${ctx.type.kind} in version "${ctx.version}" cannot be handled as a ${ctx.type.kind}: strict decoding error: ${unknown.map((u) => u.message).join(', ')}`,
        );
      }
      if (mode === 'Warn') ctx.warnings.push(...unknown.map((u) => u.message));
      causes.push(...errors.filter((e) => e.type !== 'FieldValueUnknown').map((e) => ({ field: e.field, message: e.message, reason: e.type })));
    }
    if (causes.length > 0) throw invalid(ctx.type.kind, ctx.type.group, name || '', causes);
    return result;
  }

  private isDryRun(ctx: RequestContext): boolean {
    return ctx.query.get('dryRun') === 'All';
  }

  create(ctx: RequestContext, body: unknown): { status: number; body: unknown } {
    const object = this.checkIdentity(ctx, body);
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
    this.requireNamespace(ctx);
    this.hooks.admit?.(ctx, object);
    const validated = this.validate(ctx, object);
    if (this.store.get(ctx.type, validated.metadata.namespace, validated.metadata.name))
      throw alreadyExists(resourceName(ctx), validated.metadata.name, ctx.type.group);
    const stored = this.initialize(ctx.type, toStorage(ctx.type, validated));
    recordUpdate(undefined, stored, ctx.manager, requestApiVersion(ctx));
    if (!this.isDryRun(ctx)) {
      this.store.put(ctx.type, stored);
      this.hooks.afterWrite(ctx, 'create', stored);
    }
    return { status: 201, body: present(stored, ctx.type, ctx.version) };
  }

  private initialize(type: ResourceType, object: KubeObject): KubeObject {
    const meta = object.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    if (type.generation) meta.generation = 1;
    else delete meta.generation;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    return object;
  }

  private current(ctx: RequestContext): KubeObject {
    const live = this.store.get(ctx.type, ctx.namespace, ctx.name!);
    if (!live) throw notFound(resourceName(ctx), ctx.name!, ctx.type.group);
    return live;
  }

  /**
   * Stores `next` (in the request's version) as the new state of `live`, keeping
   * server-owned fields and bumping generation. Removing the last finalizer of an object
   * being deleted deletes it.
   */
  private commit(ctx: RequestContext, live: KubeObject, next: KubeObject, verb: 'update' | 'patch' | 'apply', detail?: string): KubeObject {
    const wantedVersion = next.metadata.resourceVersion;
    if (wantedVersion && wantedVersion !== live.metadata.resourceVersion) {
      throw conflict(
        resourceName(ctx),
        live.metadata.name,
        ctx.type.group,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    if (next.metadata.uid && next.metadata.uid !== live.metadata.uid)
      throw conflict(
        resourceName(ctx),
        live.metadata.name,
        ctx.type.group,
        `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${live.metadata.uid}`,
      );
    if (next.metadata.name !== live.metadata.name)
      throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${live.metadata.name})`);
    const incoming = toStorage(ctx.type, this.validate(ctx, next));
    let result: KubeObject;
    if (ctx.subresource === 'status') {
      result = { ...structuredClone(live), status: incoming.status };
    } else {
      result = incoming;
      // With a status subresource, writes to the main resource leave status alone.
      if (ctx.type.subresources.includes('status')) {
        if (live.status === undefined) delete result.status;
        else result.status = structuredClone(live.status);
      }
    }
    const { deletionTimestamp, deletionGracePeriodSeconds } = live.metadata;
    result.metadata = {
      ...result.metadata,
      uid: live.metadata.uid,
      creationTimestamp: live.metadata.creationTimestamp,
      generation: live.metadata.generation,
      namespace: live.metadata.namespace,
      deletionTimestamp,
      deletionGracePeriodSeconds,
    };
    for (const key of ['namespace', 'generation', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const)
      if (result.metadata[key] === undefined) delete result.metadata[key];
    if (ctx.type.generation) {
      const { metadata: _a, status: _b, ...newBody } = result;
      const { metadata: _c, status: _d, ...oldBody } = live;
      if (!deepEqual(newBody, oldBody)) result.metadata.generation = (live.metadata.generation ?? 1) + 1;
    }
    if (verb !== 'apply') recordUpdate(live, result, ctx.manager, requestApiVersion(ctx), ctx.subresource);
    if (
      deepEqual(
        { ...result, metadata: { ...result.metadata, resourceVersion: undefined } },
        { ...live, metadata: { ...live.metadata, resourceVersion: undefined } },
      )
    ) {
      return live; // nothing changed: no new resourceVersion, no event (as kube-apiserver)
    }
    if (this.isDryRun(ctx)) return result;
    this.store.put(ctx.type, result);
    this.hooks.afterWrite(ctx, verb, result, detail);
    if (result.metadata.deletionTimestamp && !result.metadata.finalizers?.length) return this.remove(ctx, result);
    return result;
  }

  update(ctx: RequestContext, body: unknown): unknown {
    const next = this.checkIdentity(ctx, body, ctx.name);
    const live = this.current(ctx);
    // Custom resources, like kube-apiserver's, refuse unconditional updates.
    if (!next.metadata.resourceVersion && ctx.type.crd) {
      throw invalid(ctx.type.kind, ctx.type.group, live.metadata.name, [
        {
          field: 'metadata.resourceVersion',
          message: 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
          reason: 'FieldValueInvalid',
        },
      ]);
    }
    return present(this.commit(ctx, live, next, 'update'), ctx.type, ctx.version);
  }

  patch(ctx: RequestContext, contentType: string, raw: string): { status: number; body: unknown } {
    const type = contentType.split(';')[0]!.trim();
    if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') return this.apply(ctx, raw);
    // Custom resources have no strategic merge patch: kubectl falls back to a merge patch on this 415.
    if (!PATCH_TYPES.includes(type) || (ctx.type.crd && type === 'application/strategic-merge-patch+json')) {
      throw unsupportedMediaType(
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, ${ctx.type.crd ? '' : 'application/strategic-merge-patch+json, '}application/apply-patch+yaml`,
      );
    }
    const patch = decodeJson(raw, 'patch');
    const live = this.current(ctx);
    const patched = patchDocument(type, structuredClone(present(live, ctx.type, ctx.version)), patch);
    if (!isObject(patched)) throw patchNotApplicable();
    const next = this.checkIdentity(ctx, patched, ctx.name);
    // A resourceVersion the patch itself sets is a precondition; one carried over from the live object is not.
    const patchSetsVersion = next.metadata.resourceVersion !== live.metadata.resourceVersion;
    if (!patchSetsVersion) delete next.metadata.resourceVersion;
    return { status: 200, body: present(this.commit(ctx, live, next, 'patch', type), ctx.type, ctx.version) };
  }

  /**
   * The scale subresource (kubectl scale): spec.replicas seen and written as an
   * autoscaling/v1 Scale. `method` is get, or update / patch with the body.
   */
  scale(ctx: RequestContext, method: 'get' | 'update' | 'patch', contentType = '', raw = ''): unknown {
    const live = this.current(ctx);
    const current = scaleOf(live);
    if (method === 'get') return current;
    let wanted = decodeJson(raw, method === 'patch' ? 'patch' : 'body');
    if (method === 'patch') {
      const type = contentType.split(';')[0]!.trim();
      if (!PATCH_TYPES.includes(type))
        throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
      wanted = patchDocument(type, current, wanted);
    }
    const { spec, metadata } = (isObject(wanted) ? wanted : {}) as { spec?: { replicas?: unknown }; metadata?: { resourceVersion?: string } };
    const replicas = spec?.replicas ?? 0;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', live.metadata.name, [
        { field: 'spec.replicas', message: `spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0` },
      ]);
    }
    const next = structuredClone(present(live, ctx.type, ctx.version));
    (next.spec as { replicas?: number }).replicas = replicas;
    if (metadata?.resourceVersion) next.metadata.resourceVersion = metadata.resourceVersion;
    return scaleOf(this.commit(ctx, live, next, method));
  }

  private apply(ctx: RequestContext, raw: string): { status: number; body: unknown } {
    if (!ctx.query.get('fieldManager'))
      throw invalid('PatchOptions', 'meta.k8s.io', '', [
        { field: 'fieldManager', message: 'fieldManager: Required value: is required for apply patch', reason: 'FieldValueRequired' },
      ]);
    let body: unknown;
    try {
      body = parseYaml(raw);
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
    const applied = this.checkIdentity(ctx, body, ctx.name);
    const force = ctx.query.get('force') === 'true';
    const stored = this.store.get(ctx.type, ctx.namespace, ctx.name!);
    const live = stored && present(stored, ctx.type, ctx.version);
    if (stored && applied.metadata.resourceVersion && applied.metadata.resourceVersion !== stored.metadata.resourceVersion) {
      throw conflict(
        resourceName(ctx),
        stored.metadata.name,
        ctx.type.group,
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    delete applied.metadata.resourceVersion;
    const merged = serverSideApply(live, applied, ctx.manager, force, requestApiVersion(ctx));
    if (!stored) {
      this.requireNamespace(ctx);
      const created = this.initialize(ctx.type, toStorage(ctx.type, this.validate(ctx, merged)));
      created.metadata.managedFields = merged.metadata.managedFields;
      if (!this.isDryRun(ctx)) {
        this.store.put(ctx.type, created);
        this.hooks.afterWrite(ctx, 'apply', created);
      }
      return { status: 201, body: present(created, ctx.type, ctx.version) };
    }
    return { status: 200, body: present(this.commit(ctx, stored, merged, 'apply', 'server-side apply'), ctx.type, ctx.version) };
  }

  /**
   * Deletes an object. Without finalizers it is gone at once and the answer is a Status; with
   * finalizers it is only marked (deletionTimestamp) and the answer is the object.
   */
  delete(ctx: RequestContext, body: unknown): unknown {
    const live = this.current(ctx);
    const preconditions = isObject(body) && isObject(body.preconditions) ? (body.preconditions as { resourceVersion?: string; uid?: string }) : {};
    // These conflicts name the Kind, not the resource (kube-apiserver's BeforeDelete).
    if (preconditions.uid && preconditions.uid !== live.metadata.uid) {
      throw conflict(
        ctx.type.kind,
        live.metadata.name,
        ctx.type.group,
        `the UID in the precondition (${preconditions.uid}) does not match the UID in record (${live.metadata.uid}). The object might have been deleted and then recreated`,
      );
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== live.metadata.resourceVersion) {
      throw conflict(
        ctx.type.kind,
        live.metadata.name,
        ctx.type.group,
        `the ResourceVersion in the precondition (${preconditions.resourceVersion}) does not match the ResourceVersion in record (${live.metadata.resourceVersion}). The object might have been modified`,
      );
    }
    return this.deleteOne(ctx, live);
  }

  private deleteOne(ctx: RequestContext, live: KubeObject): unknown {
    if (live.metadata.finalizers?.length) {
      if (live.metadata.deletionTimestamp) return present(live, ctx.type, ctx.version);
      const marked = structuredClone(live);
      marked.metadata.deletionTimestamp = now();
      marked.metadata.deletionGracePeriodSeconds = 0;
      if (ctx.type.generation) marked.metadata.generation = (live.metadata.generation ?? 1) + 1;
      if (!this.isDryRun(ctx)) {
        this.store.put(ctx.type, marked);
        this.hooks.afterWrite(ctx, 'update', marked, 'deletion requested; waiting for finalizers');
      }
      return present(marked, ctx.type, ctx.version);
    }
    if (!this.isDryRun(ctx)) this.remove(ctx, live);
    return successStatus(details(live.metadata.name, ctx.type.group, ctx.type.plural, { uid: live.metadata.uid }));
  }

  private remove(ctx: RequestContext, object: KubeObject): KubeObject {
    if (ctx.type.kind === 'Namespace') this.deleteNamespaceContents(object.metadata.name);
    const gone = this.store.remove(ctx.type, object.metadata.namespace, object.metadata.name)!;
    this.hooks.afterWrite({ ...ctx, name: object.metadata.name, namespace: object.metadata.namespace }, 'delete', gone);
    return gone;
  }

  deleteCollection(ctx: RequestContext): unknown {
    const labels = parseLabelSelector(ctx.query.get('labelSelector'));
    const fields = parseFieldSelector(ctx.query.get('fieldSelector'));
    const doomed = this.store.list(ctx.type, ctx.namespace).filter((o) => labels(o.metadata.labels) && fields(o));
    for (const object of doomed) this.deleteOne({ ...ctx, name: object.metadata.name, namespace: object.metadata.namespace }, object);
    const items = doomed.map((o) => present(o, ctx.type, ctx.version));
    return { kind: ctx.type.listKind, apiVersion: requestApiVersion(ctx), metadata: { resourceVersion: this.store.currentVersion() }, items };
  }

  private deleteNamespaceContents(namespace: string): void {
    for (const type of this.registry.types) {
      if (!type.namespaced || type.virtual || type.storedAs) continue;
      for (const object of this.store.list(type, namespace)) this.store.remove(type, namespace, object.metadata.name);
    }
  }
}
