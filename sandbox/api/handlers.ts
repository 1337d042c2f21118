// The resource operations of the Kubernetes REST API over the Store.
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { recordUpdate, serverSideApply } from './apply.ts';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, deepEqual, isObject } from './patch.ts';
import type { ResourceRegistry, ResourceType } from './resources.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { StatusError, alreadyExists, badRequest, conflict, invalid, notFound, successStatus } from './status.ts';
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
  table: boolean;
}

export interface WriteHooks {
  /** Fills in server-assigned fields of a new object (like a mutating admission plugin). */
  admit?(ctx: RequestContext, object: KubeObject): void;
  /** Called after every stored write, with the verb (for Events and controllers). */
  afterWrite(ctx: RequestContext, verb: 'create' | 'update' | 'patch' | 'apply' | 'delete', object: KubeObject, detail?: string): void;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const apiVersionOf = (type: ResourceType, version: string) => (type.group ? `${type.group}/${version}` : version);
const resourceName = (ctx: RequestContext) => ctx.type.plural;

/** What the client sees: the object in the requested version, without server-only state. */
export function present(object: KubeObject, type: ResourceType, version: string): KubeObject {
  return { ...object, apiVersion: apiVersionOf(type, version) };
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

  private requireNamespace(ctx: RequestContext): void {
    if (!ctx.type.namespaced || !ctx.namespace) return;
    if (!this.store.get(this.namespaceType(), undefined, ctx.namespace)) throw notFound('namespaces', ctx.namespace, '');
  }

  get(ctx: RequestContext): unknown {
    const object = this.store.get(ctx.type, ctx.namespace, ctx.name!);
    if (!object) throw notFound(resourceName(ctx), ctx.name!, ctx.type.group);
    const out = present(object, ctx.type, ctx.version);
    return ctx.table ? toTable(ctx.type, [out], { resourceVersion: object.metadata.resourceVersion }) : out;
  }

  list(ctx: RequestContext): unknown {
    const labels = parseLabelSelector(ctx.query.get('labelSelector'));
    const fields = parseFieldSelector(ctx.query.get('fieldSelector'));
    const all = this.store
      .list(ctx.type, ctx.namespace)
      .filter((o) => labels(o.metadata.labels) && fields(o))
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    const resourceVersion = this.store.currentVersion();
    let start = 0;
    const token = ctx.query.get('continue');
    if (token) {
      let after: string;
      try {
        after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after: string }).after;
      } catch {
        throw badRequest('continue key is not valid: illegal base64 data');
      }
      start = all.findIndex((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > after);
      if (start < 0) start = all.length;
    }
    const limit = Number(ctx.query.get('limit') ?? 0);
    const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
    const remaining = all.length - start - page.length;
    const last = page[page.length - 1];
    const metadata: Record<string, unknown> = { resourceVersion };
    if (limit > 0 && remaining > 0 && last) {
      metadata.continue = Buffer.from(JSON.stringify({ after: `${last.metadata.namespace ?? ''}/${last.metadata.name}` })).toString('base64url');
      metadata.remainingItemCount = remaining;
    }
    const items = page.map((o) => present(o, ctx.type, ctx.version));
    if (ctx.table) return toTable(ctx.type, items, metadata);
    return { kind: ctx.type.listKind, apiVersion: apiVersionOf(ctx.type, ctx.version), metadata, items };
  }

  /** Starts a watch; `send` gets each event line; returns the unsubscribe function. */
  watch(ctx: RequestContext, send: (event: Record<string, unknown>) => void, close: () => void): () => void {
    const labels = parseLabelSelector(ctx.query.get('labelSelector'));
    const fields = parseFieldSelector(ctx.query.get('fieldSelector'));
    const matches = (o: KubeObject) => labels(o.metadata.labels) && fields(o) && (ctx.name === undefined || o.metadata.name === ctx.name);
    const encode = (type: string, object: KubeObject) => ({ type, object: ctx.table ? toTable(ctx.type, [present(object, ctx.type, ctx.version)], { resourceVersion: object.metadata.resourceVersion }) : present(object, ctx.type, ctx.version) });
    const deliver = (event: ChangeEvent) => {
      if (matches(event.object)) send(encode(event.type, event.object));
    };

    const requested = ctx.query.get('resourceVersion');
    const since = requested ? Number(requested) : NaN;
    if (!requested || requested === '0' || Number.isNaN(since)) {
      // No version: the current state as ADDED events, then changes.
      for (const object of this.store.list(ctx.type, ctx.namespace).filter(matches)) send(encode('ADDED', object));
    } else {
      const backlog = this.store.changesSince(ctx.type, since, ctx.namespace);
      if (!backlog) {
        send({ type: 'ERROR', object: new StatusError(410, `too old resource version: ${since} (${this.store.oldestResumable()})`, 'Expired').toStatus() });
        close();
        return () => undefined;
      }
      for (const event of backlog) deliver(event);
    }
    const unsubscribe = this.store.watch({ key: `${ctx.type.group}/${ctx.type.plural}`, namespace: ctx.namespace, deliver });
    let bookmarks: NodeJS.Timeout | undefined;
    if (ctx.query.get('allowWatchBookmarks') === 'true') {
      bookmarks = setInterval(() => {
        send({ type: 'BOOKMARK', object: { kind: ctx.type.kind, apiVersion: apiVersionOf(ctx.type, ctx.version), metadata: { resourceVersion: this.store.currentVersion() } } });
      }, 10_000);
      bookmarks.unref();
    }
    const timeout = Number(ctx.query.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(close, timeout * 1000) : undefined;
    timer?.unref();
    return () => {
      unsubscribe();
      clearInterval(bookmarks);
      clearTimeout(timer);
    };
  }

  private checkIdentity(ctx: RequestContext, body: unknown, forName?: string): KubeObject {
    if (!isObject(body)) throw badRequest('the request body must be a JSON object');
    const object = structuredClone(body) as KubeObject;
    const expected = apiVersionOf(ctx.type, ctx.version);
    if (object.apiVersion !== undefined && object.apiVersion !== expected) throw badRequest(`the API version in the data (${object.apiVersion}) does not match the expected API version (${expected})`);
    if (object.kind !== undefined && object.kind !== ctx.type.kind) throw badRequest(`the kind in the data (${object.kind}) does not match the expected kind (${ctx.type.kind})`);
    object.apiVersion = expected;
    object.kind = ctx.type.kind;
    if (!isObject(object.metadata)) object.metadata = { name: '' };
    const meta = object.metadata;
    if (ctx.type.namespaced) {
      if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
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

  /** Schema (CRDs) and name validation; returns the object with non-nullable nulls pruned. */
  private validate(ctx: RequestContext, object: KubeObject): KubeObject {
    const name = object.metadata.name;
    const causes: { field: string; message: string; reason?: string }[] = [];
    const pattern = ctx.type.kind === 'Namespace' ? DNS_LABEL : DNS_SUBDOMAIN;
    const limit = ctx.type.kind === 'Namespace' ? 63 : 253;
    // RBAC objects are named by path segments ("system:basic-user"), everything else by DNS names.
    const pathSegmentName = ctx.type.group === 'rbac.authorization.k8s.io';
    if (!name) causes.push({ field: 'metadata.name', message: 'metadata.name: Required value: name or generateName is required', reason: 'FieldValueRequired' });
    else if (pathSegmentName) {
      if (/[/%]/.test(name) || name === '.' || name === '..') causes.push({ field: 'metadata.name', message: `metadata.name: Invalid value: "${name}": may not contain '/' or '%', and may not be '.' or '..'` });
    } else if (!pattern.test(name) || name.length > limit) {
      causes.push({ field: 'metadata.name', message: `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 ${ctx.type.kind === 'Namespace' ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
    }
    for (const [key, value] of Object.entries(object.metadata.labels ?? {})) {
      if (typeof value !== 'string' || value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) causes.push({ field: `metadata.labels`, message: `metadata.labels: Invalid value: "${String(value)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.' (label ${key})` });
    }
    let result = object;
    if (ctx.type.crd) {
      const { object: pruned, errors } = this.registry.crds.validate(object);
      result = pruned as KubeObject;
      const unknown = errors.filter((e) => e.type === 'FieldValueUnknown');
      const rest = errors.filter((e) => e.type !== 'FieldValueUnknown');
      // Unknown fields fail only under strict field validation (kubectl's default); otherwise they are pruned.
      if (unknown.length > 0 && (ctx.query.get('fieldValidation') ?? 'Strict') === 'Strict') {
        throw badRequest(`${ctx.type.kind} in version "${ctx.version}" cannot be handled as a ${ctx.type.kind}: strict decoding error: ${unknown.map((u) => u.message).join(', ')}`);
      }
      causes.push(...rest.map((e) => ({ field: e.field, message: e.message, reason: e.type })));
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
    if (this.store.get(ctx.type, validated.metadata.namespace, validated.metadata.name)) throw alreadyExists(resourceName(ctx), validated.metadata.name, ctx.type.group);
    const stored = this.initialize(validated);
    recordUpdate(undefined, stored, ctx.manager, stored.apiVersion);
    if (this.isDryRun(ctx)) return { status: 201, body: present(stored, ctx.type, ctx.version) };
    this.store.put(ctx.type, stored);
    this.hooks.afterWrite(ctx, 'create', stored);
    return { status: 201, body: present(stored, ctx.type, ctx.version) };
  }

  private initialize(object: KubeObject): KubeObject {
    const meta = object.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    meta.generation = 1;
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    return object;
  }

  private current(ctx: RequestContext): KubeObject {
    const live = this.store.get(ctx.type, ctx.namespace, ctx.name!);
    if (!live) throw notFound(resourceName(ctx), ctx.name!, ctx.type.group);
    return live;
  }

  /** Stores `next` as the new state of `live`, keeping server-owned fields and bumping generation. */
  private commit(ctx: RequestContext, live: KubeObject, next: KubeObject, verb: 'update' | 'patch' | 'apply', detail?: string): KubeObject {
    const wantedVersion = next.metadata.resourceVersion;
    if (wantedVersion && wantedVersion !== live.metadata.resourceVersion) {
      throw conflict(resourceName(ctx), live.metadata.name, ctx.type.group, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    if (next.metadata.uid && next.metadata.uid !== live.metadata.uid) throw conflict(resourceName(ctx), live.metadata.name, ctx.type.group, `Precondition failed: UID in precondition: ${next.metadata.uid}, UID in object meta: ${live.metadata.uid}`);
    if (next.metadata.name !== live.metadata.name) throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${live.metadata.name})`);
    const validated = this.validate(ctx, next);
    const statusOnly = ctx.subresource === 'status';
    let result: KubeObject;
    if (statusOnly) {
      result = { ...structuredClone(live), status: validated.status };
    } else {
      result = validated;
      // With a status subresource, writes to the main resource leave status alone.
      if (ctx.type.subresources.includes('status')) {
        if (live.status === undefined) delete result.status;
        else result.status = structuredClone(live.status);
      }
    }
    result.metadata = {
      ...result.metadata,
      uid: live.metadata.uid,
      creationTimestamp: live.metadata.creationTimestamp,
      generation: live.metadata.generation ?? 1,
      namespace: live.metadata.namespace,
    };
    if (!result.metadata.namespace) delete result.metadata.namespace;
    const { metadata: _a, status: _b, ...newBody } = result;
    const { metadata: _c, status: _d, ...oldBody } = live;
    if (!deepEqual(newBody, oldBody)) result.metadata.generation = (live.metadata.generation ?? 1) + 1;
    if (verb !== 'apply') recordUpdate(live, result, ctx.manager, result.apiVersion, ctx.subresource);
    if (deepEqual({ ...result, metadata: { ...result.metadata, resourceVersion: undefined } }, { ...live, metadata: { ...live.metadata, resourceVersion: undefined } })) {
      return live; // nothing changed: no new resourceVersion, no event (as kube-apiserver)
    }
    if (this.isDryRun(ctx)) return result;
    this.store.put(ctx.type, result);
    this.hooks.afterWrite(ctx, verb, result, detail);
    return result;
  }

  update(ctx: RequestContext, body: unknown): unknown {
    const next = this.checkIdentity(ctx, body, ctx.name);
    const live = this.current(ctx);
    // Custom resources, like kube-apiserver's, refuse unconditional updates.
    if (!next.metadata.resourceVersion && ctx.type.crd) {
      throw invalid(ctx.type.kind, ctx.type.group, live.metadata.name, [{ field: 'metadata.resourceVersion', message: 'metadata.resourceVersion: Invalid value: 0x0: must be specified for an update', reason: 'FieldValueInvalid' }]);
    }
    return present(this.commit(ctx, live, next, 'update'), ctx.type, ctx.version);
  }

  patch(ctx: RequestContext, contentType: string, raw: string): { status: number; body: unknown } {
    const type = contentType.split(';')[0]!.trim();
    if (type === 'application/apply-patch+yaml' || type === 'application/apply-patch+cbor') return this.apply(ctx, raw);
    let patch: unknown;
    try {
      patch = JSON.parse(raw);
    } catch (error) {
      throw badRequest(`error decoding patch: ${(error as Error).message}`);
    }
    const live = this.current(ctx);
    const base = structuredClone(live);
    let patched: unknown;
    switch (type) {
      case 'application/json-patch+json':
        patched = applyJsonPatch(base, patch);
        break;
      case 'application/merge-patch+json':
        patched = applyMergePatch(base, patch);
        break;
      case 'application/strategic-merge-patch+json':
        if (ctx.type.crd) throw new StatusError(415, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml', 'UnsupportedMediaType');
        patched = applyStrategicMergePatch(base, patch);
        break;
      default:
        throw new StatusError(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, ${ctx.type.crd ? '' : 'application/strategic-merge-patch+json, '}application/apply-patch+yaml`, 'UnsupportedMediaType');
    }
    if (!isObject(patched)) throw new StatusError(422, 'the patch produced something that is not an object', 'Invalid');
    const next = this.checkIdentity(ctx, patched, ctx.name);
    // A resourceVersion the patch itself sets is a precondition; one carried over from the live object is not.
    const patchSetsVersion = next.metadata.resourceVersion !== live.metadata.resourceVersion;
    if (!patchSetsVersion) delete next.metadata.resourceVersion;
    return { status: 200, body: present(this.commit(ctx, live, next, 'patch', type), ctx.type, ctx.version) };
  }

  private apply(ctx: RequestContext, raw: string): { status: number; body: unknown } {
    if (!ctx.query.get('fieldManager')) throw invalid('PatchOptions', 'meta.k8s.io', '', [{ field: 'fieldManager', message: 'fieldManager: Required value: is required for apply patch', reason: 'FieldValueRequired' }]);
    let body: unknown;
    try {
      body = parseYaml(raw);
    } catch (error) {
      throw badRequest(`error decoding YAML: ${(error as Error).message}`);
    }
    const applied = this.checkIdentity(ctx, body, ctx.name);
    const force = ctx.query.get('force') === 'true';
    const live = this.store.get(ctx.type, ctx.namespace, ctx.name!);
    if (live && applied.metadata.resourceVersion && applied.metadata.resourceVersion !== live.metadata.resourceVersion) {
      throw conflict(resourceName(ctx), live.metadata.name, ctx.type.group, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    delete applied.metadata.resourceVersion;
    const merged = serverSideApply(live, applied, ctx.manager, force, applied.apiVersion);
    if (!live) {
      this.requireNamespace(ctx);
      const validated = this.validate(ctx, merged);
      const stored = this.initialize(validated);
      stored.metadata.managedFields = merged.metadata.managedFields;
      if (!this.isDryRun(ctx)) {
        this.store.put(ctx.type, stored);
        this.hooks.afterWrite(ctx, 'apply', stored);
      }
      return { status: 201, body: present(stored, ctx.type, ctx.version) };
    }
    return { status: 200, body: present(this.commit(ctx, live, merged, 'apply', 'server-side apply'), ctx.type, ctx.version) };
  }

  delete(ctx: RequestContext, body: unknown): unknown {
    const live = this.current(ctx);
    const preconditions = isObject(body) && isObject(body.preconditions) ? (body.preconditions as { resourceVersion?: string; uid?: string }) : {};
    if (preconditions.resourceVersion && preconditions.resourceVersion !== live.metadata.resourceVersion) {
      throw conflict(resourceName(ctx), live.metadata.name, ctx.type.group, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in meta: ${live.metadata.resourceVersion}`);
    }
    if (preconditions.uid && preconditions.uid !== live.metadata.uid) {
      throw conflict(resourceName(ctx), live.metadata.name, ctx.type.group, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${live.metadata.uid}`);
    }
    if (this.isDryRun(ctx)) return present(live, ctx.type, ctx.version);
    if (ctx.type.kind === 'Namespace') this.deleteNamespaceContents(live.metadata.name);
    const gone = this.store.remove(ctx.type, ctx.namespace, ctx.name!)!;
    this.hooks.afterWrite(ctx, 'delete', gone);
    if (ctx.type.crd) return present(gone, ctx.type, ctx.version);
    return successStatus({ name: live.metadata.name, group: ctx.type.group, kind: ctx.type.plural });
  }

  deleteCollection(ctx: RequestContext): unknown {
    const labels = parseLabelSelector(ctx.query.get('labelSelector'));
    const fields = parseFieldSelector(ctx.query.get('fieldSelector'));
    const doomed = this.store.list(ctx.type, ctx.namespace).filter((o) => labels(o.metadata.labels) && fields(o));
    const items = doomed.map((o) => {
      const gone = this.store.remove(ctx.type, o.metadata.namespace, o.metadata.name)!;
      this.hooks.afterWrite({ ...ctx, name: o.metadata.name, namespace: o.metadata.namespace }, 'delete', gone);
      return present(gone, ctx.type, ctx.version);
    });
    return { kind: ctx.type.listKind, apiVersion: apiVersionOf(ctx.type, ctx.version), metadata: { resourceVersion: this.store.currentVersion() }, items };
  }

  private deleteNamespaceContents(namespace: string): void {
    for (const type of this.registry.types) {
      if (!type.namespaced || type.virtual) continue;
      for (const object of this.store.list(type, namespace)) this.store.remove(type, namespace, object.metadata.name);
    }
  }
}
