// The analysis engine: runs every analyzer's check on every object of its kinds once, remembers
// what each check read, and after a change re-runs only the checks whose reads the change
// touches (the changed object itself, a list it belongs to, an index key it is filed under).
import { codeInfo } from './codes';
import { keyOf, kindOf, objectKey } from './kinds';
import type { AnalysisObject, Analyzer, CheckContext, Finding, IndexDefinition, Kind, ReportOptions, View } from './types';

/** One object added, replaced or removed. */
export type Change = { type: 'upsert'; object: AnalysisObject } | { type: 'delete'; object: AnalysisObject };

/** What a change did to the findings. */
export interface FindingsDiff {
  added: Finding[];
  removed: Finding[];
}

/** Objects can opt out of codes, as with istioctl: `galley.istio.io/analyze-suppress: "IST0102,IST0107"` (or `*`). */
export const SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

interface CheckState {
  analyzer: Analyzer;
  subjectKey: string;
  findings: Finding[];
  deps: Readers[];
}

/** The checks that read one dependency key; a check holds these, so each key string is kept once. */
interface Readers {
  key: string;
  checks: Set<CheckState>;
}

const ALL = '*';
const NO_FINDINGS = Object.freeze([]) as unknown as Finding[];
const byNamespaceThenName = (a: AnalysisObject, b: AnalysisObject) =>
  (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name);

/** A finding's identity: two findings with it are the same finding. */
export const findingKey = (f: Finding) =>
  `${f.code}|${f.origin.apiVersion}/${f.origin.kind}|${f.origin.namespace ?? ''}|${f.origin.name}|${f.path ?? ''}|${f.message}`;

const LEVEL_ORDER = { Error: 0, Warning: 1, Info: 2 } as const;
/** Findings as istioctl lists them: most severe first, then by object, then by code. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] ||
    (a.origin.namespace ?? '').localeCompare(b.origin.namespace ?? '') ||
    a.origin.kind.localeCompare(b.origin.kind) ||
    a.origin.name.localeCompare(b.origin.name) ||
    a.code.localeCompare(b.code) ||
    (a.path ?? '').localeCompare(b.path ?? '') ||
    a.message.localeCompare(b.message)
  );
}

function suppressed(object: AnalysisObject, code: string): boolean {
  const value = object.metadata.annotations?.[SUPPRESS_ANNOTATION];
  if (!value) return false;
  return value.split(',').some((entry) => entry.trim() === ALL || entry.trim() === code);
}

interface IndexEntry {
  objects: Map<string, AnalysisObject>;
  sorted?: AnalysisObject[];
}
const NO_OBJECTS: readonly AnalysisObject[] = Object.freeze([]);

/** The objects and the indexes over them. */
class Store {
  readonly objects = new Map<string, AnalysisObject>();
  private readonly lists = new Map<string, Map<string, AnalysisObject>>();
  private readonly sortedLists = new Map<string, AnalysisObject[]>();
  // Each index key's objects, and their sorted copy once looked up (kept on the entry: a cache
  // keyed by `index|key` held a second string per key, 20,000 of them at the bench's size).
  private readonly indexes = new Map<string, { definition: IndexDefinition; entries: Map<string, IndexEntry> }>();
  private readonly indexesByKind = new Map<Kind, IndexDefinition[]>();

  constructor(definitions: readonly IndexDefinition[]) {
    for (const definition of definitions) {
      const known = this.indexes.get(definition.id);
      if (known) {
        if (known.definition !== definition) throw new Error(`Two analyzers define index ${definition.id} differently: share one definition`);
        continue;
      }
      this.indexes.set(definition.id, { definition, entries: new Map() });
      this.indexesByKind.set(definition.kind, [...(this.indexesByKind.get(definition.kind) ?? []), definition]);
    }
  }

  /** Puts or removes one object; returns the dependency keys whose readers the change affects. */
  change(change: Change): string[] {
    const object = change.object;
    const kind = kindOf(object);
    const key = keyOf(object);
    const namespace = object.metadata.namespace ?? '';
    const old = this.objects.get(key);
    const affected = [`o:${key}`, `l:${kind}|${namespace}`, `l:${kind}|${ALL}`];
    for (const definition of this.indexesByKind.get(kind) ?? []) {
      const entries = this.indexes.get(definition.id)!.entries;
      const oldKeys = old ? definition.keys(old) : [];
      const newKeys = change.type === 'upsert' ? definition.keys(object) : [];
      for (const indexKey of oldKeys) {
        const entry = entries.get(indexKey);
        if (entry) {
          entry.objects.delete(key);
          entry.sorted = undefined;
        }
        affected.push(`i:${definition.id}|${indexKey}`);
      }
      for (const indexKey of newKeys) {
        let entry = entries.get(indexKey);
        if (!entry) entries.set(indexKey, (entry = { objects: new Map() }));
        entry.objects.set(key, object);
        entry.sorted = undefined;
        affected.push(`i:${definition.id}|${indexKey}`);
      }
    }
    for (const listKey of [`${kind}|${namespace}`, `${kind}|${ALL}`]) {
      let list = this.lists.get(listKey);
      if (!list) this.lists.set(listKey, (list = new Map()));
      if (change.type === 'upsert') list.set(key, object);
      else list.delete(key);
      this.sortedLists.delete(listKey);
    }
    if (change.type === 'upsert') this.objects.set(key, object);
    else this.objects.delete(key);
    return affected;
  }

  get(kind: Kind, namespace: string | undefined, name: string) {
    return this.objects.get(objectKey(kind, namespace, name));
  }

  list(kind: Kind, namespace?: string): readonly AnalysisObject[] {
    const listKey = `${kind}|${namespace ?? ALL}`;
    let sorted = this.sortedLists.get(listKey);
    if (!sorted) this.sortedLists.set(listKey, (sorted = [...(this.lists.get(listKey)?.values() ?? [])].sort(byNamespaceThenName)));
    return sorted;
  }

  lookup(index: string, key: string): readonly AnalysisObject[] {
    const known = this.indexes.get(index);
    if (!known) throw new Error(`No analyzer declares index ${index}`);
    const entry = known.entries.get(key);
    if (!entry) return NO_OBJECTS;
    return (entry.sorted ??= [...entry.objects.values()].sort(byNamespaceThenName));
  }
}

/**
 * The findings over a set of objects, kept current change by change. Synchronous throughout:
 * a preview (apply, read, apply the inverse) cannot interleave with another change.
 */
export class Analysis {
  private readonly store: Store;
  // Per object (by key), its checks; readers hold the checks themselves. Memory matters at
  // 10,000s of objects: a key string per check (analyzer#object) cost two thirds of the heap.
  // Only checks that read something or found something are kept (at the bench's size, 6 in 10
  // checks do neither): a change to the subject re-runs its analyzers whether kept or not.
  private readonly checks = new Map<string, CheckState[]>();
  private readonly readers = new Map<string, Readers>();
  private readonly analyzersByKind = new Map<Kind, Analyzer[]>();
  private sorted: Finding[] | undefined;

  private readonly loadedKinds: ReadonlySet<Kind> | undefined;

  /** `options.kinds`: the kinds that were loaded (default: every kind counts as loaded, as with files). */
  constructor(
    readonly analyzers: readonly Analyzer[],
    objects: Iterable<AnalysisObject> = [],
    options: { kinds?: Iterable<Kind> } = {},
  ) {
    this.loadedKinds = options.kinds ? new Set(options.kinds) : undefined;
    this.store = new Store(analyzers.flatMap((analyzer) => analyzer.indexes ?? []));
    for (const analyzer of analyzers) {
      for (const kind of analyzer.kinds) this.analyzersByKind.set(kind, [...(this.analyzersByKind.get(kind) ?? []), analyzer]);
    }
    for (const object of objects) this.store.change({ type: 'upsert', object });
    for (const [key, object] of this.store.objects) {
      for (const analyzer of this.analyzersByKind.get(kindOf(object)) ?? []) this.run(analyzer, object, key);
    }
  }

  /** Every current finding, sorted (compareFindings). */
  findings(): readonly Finding[] {
    this.sorted ??= [...this.checks.values()].flatMap((states) => states.flatMap((check) => check.findings)).sort(compareFindings);
    return this.sorted;
  }

  /** The objects analyzed (for callers that need what the analysis saw, e.g. to preview a change). */
  object(kind: Kind, namespace: string | undefined, name: string): AnalysisObject | undefined {
    return this.store.get(kind, namespace, name);
  }

  get size(): number {
    return this.store.objects.size;
  }

  /** Applies changes and re-runs only the checks they can affect; returns what changed in the findings. */
  apply(changes: readonly Change[]): FindingsDiff {
    // Per object key, the analyzers whose check of it must run again.
    const dirty = new Map<string, Set<Analyzer>>();
    const mark = (subjectKey: string, analyzer: Analyzer) => {
      let analyzers = dirty.get(subjectKey);
      if (!analyzers) dirty.set(subjectKey, (analyzers = new Set()));
      analyzers.add(analyzer);
    };
    for (const change of changes) {
      const key = keyOf(change.object);
      for (const depKey of this.store.change(change)) for (const state of this.readers.get(depKey)?.checks ?? []) mark(state.subjectKey, state.analyzer);
      for (const analyzer of this.analyzersByKind.get(kindOf(change.object)) ?? []) mark(key, analyzer);
    }
    const added: Finding[] = [];
    const removed: Finding[] = [];
    for (const [subjectKey, analyzers] of dirty)
      for (const analyzer of analyzers) {
        const before = this.checks.get(subjectKey)?.find((state) => state.analyzer === analyzer);
        const subject = this.store.objects.get(subjectKey);
        if (before) this.forget(before);
        const after = subject ? this.run(analyzer, subject, subjectKey) : undefined;
        const beforeKeys = new Set((before?.findings ?? []).map(findingKey));
        const afterKeys = new Set((after?.findings ?? []).map(findingKey));
        for (const finding of after?.findings ?? []) if (!beforeKeys.has(findingKey(finding))) added.push(finding);
        for (const finding of before?.findings ?? []) if (!afterKeys.has(findingKey(finding))) removed.push(finding);
      }
    if (added.length || removed.length) this.sorted = undefined;
    return { added: added.sort(compareFindings), removed: removed.sort(compareFindings) };
  }

  /**
   * What the findings would become after `changes`, without keeping them: applies them, then
   * restores every touched object. The gate before a write uses this.
   */
  preview(changes: readonly Change[]): FindingsDiff {
    const restore: Change[] = [];
    for (const change of [...changes].reverse()) {
      const old = this.store.objects.get(keyOf(change.object));
      restore.push(old ? { type: 'upsert', object: old } : { type: 'delete', object: change.object });
    }
    const diff = this.apply(changes);
    this.apply(restore);
    return diff;
  }

  private forget(state: CheckState) {
    for (const readers of state.deps) {
      readers.checks.delete(state);
      if (readers.checks.size === 0) this.readers.delete(readers.key);
    }
    const states = this.checks.get(state.subjectKey)!;
    states.splice(states.indexOf(state), 1);
    if (states.length === 0) this.checks.delete(state.subjectKey);
    if (state.findings.length) this.sorted = undefined;
  }

  private run(analyzer: Analyzer, subject: AnalysisObject, key: string): CheckState {
    const deps = new Set<string>();
    const findings: Finding[] = [];
    const store = this.store;
    const loadedKinds = this.loadedKinds;
    const view: View = {
      available: (kind) => !loadedKinds || loadedKinds.has(kind),
      get(kind, namespace, name) {
        deps.add(`o:${objectKey(kind, namespace, name)}`);
        return store.get(kind, namespace, name);
      },
      list(kind, namespace) {
        deps.add(`l:${kind}|${namespace ?? ALL}`);
        return store.list(kind, namespace);
      },
      lookup(index, key) {
        deps.add(`i:${index}|${key}`);
        return store.lookup(index, key);
      },
      findIndexed(index, key, matches) {
        const hit = store.lookup(index, key).find(matches);
        deps.add(hit ? `o:${keyOf(hit)}` : `i:${index}|${key}`);
        return hit;
      },
      findListed(kind, namespace, matches) {
        const hit = store.list(kind, namespace).find(matches);
        deps.add(hit ? `o:${keyOf(hit)}` : `l:${kind}|${namespace ?? ALL}`);
        return hit;
      },
    };
    const report = (code: string, message: string, options: ReportOptions = {}) => {
      const info = codeInfo(code);
      if (!analyzer.codes.includes(code)) throw new Error(`Analyzer ${analyzer.id} reported ${code} without declaring it`);
      const origin = options.origin ?? subject;
      if (origin !== subject) deps.add(`o:${keyOf(origin)}`);
      if (suppressed(origin, code)) return;
      findings.push({
        code,
        level: info.level,
        message,
        origin: { kind: origin.kind, apiVersion: origin.apiVersion, namespace: origin.metadata.namespace, name: origin.metadata.name },
        ...(options.path ? { path: options.path } : {}),
        analyzer: analyzer.id,
      });
    };
    const context: CheckContext = { ...view, report };
    try {
      analyzer.check(subject, context);
    } catch (error) {
      // A bug in one analyzer shows as a finding on the object it choked on; the others still run.
      findings.length = 0;
      findings.push({
        code: 'IST0001',
        level: 'Error',
        message: `Internal error in ${analyzer.id}: ${error instanceof Error ? error.message : String(error)}`,
        origin: { kind: subject.kind, apiVersion: subject.apiVersion, namespace: subject.metadata.namespace, name: subject.metadata.name },
        analyzer: analyzer.id,
      });
    }
    const states = this.checks.get(key);
    const subjectKey = states?.[0]?.subjectKey ?? key;
    const kept = findings.length ? findings.slice() : NO_FINDINGS;
    // Nothing to re-run it for but its subject, nothing to list: not kept.
    if (deps.size === 0 && findings.length === 0) return { analyzer, subjectKey, findings: kept, deps: [] };
    // Arrays built at their final length: one grown by push reserves room for 17 (3 checks in 4 read one to three keys).
    const readersOf = (dep: string) => {
      let readers = this.readers.get(dep);
      if (!readers) this.readers.set(dep, (readers = { key: dep, checks: new Set() }));
      return readers;
    };
    const state: CheckState = { analyzer, subjectKey, findings: kept, deps: Array.from(deps, readersOf) };
    for (const readers of state.deps) readers.checks.add(state);
    this.checks.set(subjectKey, states ? [...states, state] : [state]);
    if (findings.length) this.sorted = undefined;
    return state;
  }
}
