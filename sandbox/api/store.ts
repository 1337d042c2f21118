// In-memory object storage with a global resourceVersion, as etcd gives kube-apiserver:
// every write gets the next version, and a bounded log of changes lets watches resume.
import type { ResourceType } from './resources.ts';
import { typeKey } from './resources.ts';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  managedFields?: ManagedFieldsEntry[];
  generateName?: string;
  finalizers?: string[];
  [key: string]: unknown;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  rv: number;
  type: EventType;
  key: string; // type key
  object: KubeObject;
  /** The object before this change (undefined for ADDED): lets lists read past versions. */
  previous?: KubeObject;
}

export interface Watcher {
  key: string;
  namespace: string | undefined;
  deliver: (event: ChangeEvent) => void;
}

const objectKey = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export class Store {
  private rv = 1;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly log: ChangeEvent[] = [];
  private logStart = 0; // index of the oldest retained event in a ring of `capacity`
  private readonly capacity: number;
  private readonly watchers = new Set<Watcher>();
  private readonly latestByKey = new Map<string, number>();
  private readonly onWrite: (() => void) | undefined;

  constructor(options: { logCapacity?: number; onWrite?: () => void } = {}) {
    this.capacity = options.logCapacity ?? 50_000;
    this.onWrite = options.onWrite;
  }

  currentVersion(): string {
    return String(this.rv);
  }

  /** The resourceVersion of the latest change to one kind (by type key), as a watch cache tracks it. */
  latestVersionOf(key: string): number {
    return this.latestByKey.get(key) ?? 0;
  }

  /** The oldest resourceVersion a watch can resume from. */
  oldestResumable(): number {
    const first = this.log[this.logStart];
    return first ? first.rv - 1 : this.rv;
  }

  list(type: ResourceType, namespace?: string): KubeObject[] {
    const bucket = this.objects.get(typeKey(type));
    if (!bucket) return [];
    const all = [...bucket.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(typeKey(type))?.get(objectKey(namespace, name));
  }

  /** Stores an object (new or replacing), stamping the next resourceVersion. */
  put(type: ResourceType, object: KubeObject): KubeObject {
    const key = typeKey(type);
    let bucket = this.objects.get(key);
    if (!bucket) this.objects.set(key, (bucket = new Map()));
    const id = objectKey(object.metadata.namespace, object.metadata.name);
    const previous = bucket.get(id);
    this.rv += 1;
    object.metadata.resourceVersion = String(this.rv);
    bucket.set(id, object);
    this.record({ rv: this.rv, type: previous ? 'MODIFIED' : 'ADDED', key, object, previous });
    return object;
  }

  remove(type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const key = typeKey(type);
    const bucket = this.objects.get(key);
    const id = objectKey(namespace, name);
    const object = bucket?.get(id);
    if (!bucket || !object) return undefined;
    bucket.delete(id);
    this.rv += 1;
    const gone = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.rv) } };
    this.record({ rv: this.rv, type: 'DELETED', key, object: gone, previous: object });
    return gone;
  }

  /**
   * The objects of one kind as they were at resourceVersion `at` (etcd's consistent read of
   * the past), or undefined when that version is older than the retained history.
   */
  listAt(type: ResourceType, at: number, namespace?: string): KubeObject[] | undefined {
    if (at < this.oldestResumable()) return undefined;
    const key = typeKey(type);
    const state = new Map((this.objects.get(key) ?? new Map<string, KubeObject>()).entries());
    // Undo the changes made after `at`, newest first.
    for (let i = this.log.length - 1; i >= 0; i--) {
      const event = this.log[(this.logStart + i) % this.log.length]!;
      if (event.rv <= at) break;
      if (event.key !== key) continue;
      const id = objectKey(event.object.metadata.namespace, event.object.metadata.name);
      if (event.previous) state.set(id, event.previous);
      else state.delete(id);
    }
    const all = [...state.values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  /** Forgets the history up to now, as an etcd compaction does: older versions answer 410 Gone. */
  compact(): void {
    this.log.length = 0;
    this.logStart = 0;
  }

  /** Changes of one kind after a resourceVersion, or undefined when that version is no longer retained. */
  changesSince(type: ResourceType, since: number, namespace?: string): ChangeEvent[] | undefined {
    if (since < this.oldestResumable()) return undefined;
    const key = typeKey(type);
    const out: ChangeEvent[] = [];
    const size = this.log.length;
    for (let i = 0; i < size; i++) {
      const event = this.log[(this.logStart + i) % size]!;
      if (event.rv > since && event.key === key && (namespace === undefined || event.object.metadata.namespace === namespace)) out.push(event);
    }
    return out;
  }

  watch(watcher: Watcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  watcherCount(): number {
    return this.watchers.size;
  }

  /** Everything, for persistence. */
  snapshot(): { resourceVersion: number; objects: Record<string, KubeObject[]> } {
    const objects: Record<string, KubeObject[]> = {};
    for (const [key, bucket] of this.objects) objects[key] = [...bucket.values()];
    return { resourceVersion: this.rv, objects };
  }

  restore(snapshot: { resourceVersion: number; objects: Record<string, KubeObject[]> }): void {
    this.objects.clear();
    for (const [key, items] of Object.entries(snapshot.objects)) {
      this.objects.set(key, new Map(items.map((o) => [objectKey(o.metadata.namespace, o.metadata.name), o])));
    }
    this.rv = snapshot.resourceVersion;
    this.log.length = 0;
    this.logStart = 0;
  }

  private record(event: ChangeEvent): void {
    this.latestByKey.set(event.key, event.rv);
    if (this.log.length < this.capacity) this.log.push(event);
    else {
      this.log[this.logStart] = event;
      this.logStart = (this.logStart + 1) % this.capacity;
    }
    for (const watcher of this.watchers) {
      if (watcher.key === event.key && (watcher.namespace === undefined || watcher.namespace === event.object.metadata.namespace)) watcher.deliver(event);
    }
    this.onWrite?.();
  }
}
