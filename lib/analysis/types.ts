// The shapes every analyzer shares. Analyzers are pure: they read a View of the objects and
// report findings; the engine (engine.ts) decides which checks to run and when to re-run them.

/** Istio's levels, most severe first. */
export type Level = 'Error' | 'Warning' | 'Info';
export const LEVELS: readonly Level[] = ['Error', 'Warning', 'Info'];

/**
 * A kind as analyzers name it: `group/Kind`, or just `Kind` for the core group. Version-free:
 * an object written through networking.istio.io/v1alpha3 is the same kind as one written through v1.
 */
export type Kind = string;

export interface ObjectMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }[];
  creationTimestamp?: string;
}

/** Any Kubernetes object as the analyzers see it: loosely typed below metadata (each analyzer casts what it reads). */
export interface AnalysisObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetadata;
  spec?: unknown;
  status?: unknown;
  /** ConfigMap and Secret payloads. */
  data?: Record<string, string>;
  /** Admission webhook configurations. */
  webhooks?: unknown[];
  [field: string]: unknown;
}

/** Where a finding lives: the object it is reported on. */
export interface Origin {
  kind: string;
  /** `group/version`, kept so two kinds of one name (Istio's and Gateway API's Gateway) stay apart. */
  apiVersion: string;
  namespace?: string;
  name: string;
}

/** One finding, shaped like istioctl analyze's messages. */
export interface Finding {
  code: string;
  level: Level;
  message: string;
  origin: Origin;
  /** Where in the object, as a field path (`spec.http[0].route[1].destination.subset`). */
  path?: string;
  /** The analyzer that reported it (`virtualservice.destinationrules`). */
  analyzer: string;
}

/** What a check may read. Every read is recorded, so the engine knows what a later change affects. */
export interface View {
  /** One object, or undefined. */
  get(kind: Kind, namespace: string | undefined, name: string): AnalysisObject | undefined;
  /** All objects of a kind, or those of one namespace; sorted by namespace then name. */
  list(kind: Kind, namespace?: string): readonly AnalysisObject[];
  /** The objects an index (declared by some analyzer) files under `key`; sorted. */
  lookup(index: string, key: string): readonly AnalysisObject[];
  /**
   * Whether objects of this kind were loaded at all. A cluster without Gateway API, or a console
   * not allowed to read Secrets, has none: a reference into such a kind cannot be called missing.
   */
  available(kind: Kind): boolean;
  /**
   * Any one object `matches` accepts among `lookup(index, key)`, or undefined: for "does one
   * exist?" questions. A hit makes the check depend on that object alone (more matches appearing
   * change nothing), only a miss on the whole entry, so a busy entry (all pods labelled
   * `version=v1`) does not re-run the check at every change. What `matches` reads through the
   * view is recorded as usual.
   */
  findIndexed(index: string, key: string, matches: (object: AnalysisObject) => boolean): AnalysisObject | undefined;
  /** The same over `list(kind, namespace)`. */
  findListed(kind: Kind, namespace: string | undefined, matches: (object: AnalysisObject) => boolean): AnalysisObject | undefined;
}

export interface ReportOptions {
  path?: string;
  /** Report on another object than the one checked (rare: e.g. a conflict reported on both sides is two checks). */
  origin?: AnalysisObject;
}

/** A View plus the way to report. `object` is the object being checked. */
export interface CheckContext extends View {
  report(code: string, message: string, options?: ReportOptions): void;
}

/** A secondary index over one kind: `keys` says under which keys an object is filed. Pure. */
export interface IndexDefinition {
  id: string;
  kind: Kind;
  keys(object: AnalysisObject): readonly string[];
}

/**
 * An analyzer checks objects of its `kinds` one at a time. A check's findings may depend only
 * on the checked object and on what it reads through the context: that is what lets the engine
 * re-run only the checks a change can affect.
 */
export interface Analyzer {
  /** `area.name`, e.g. `virtualservice.destinationrules` (Istio's analyzer, lower-cased, where there is one). */
  id: string;
  description: string;
  kinds: readonly Kind[];
  /** Codes it may report (each must be in codes.ts). */
  codes: readonly string[];
  indexes?: readonly IndexDefinition[];
  check(object: AnalysisObject, context: CheckContext): void;
}
