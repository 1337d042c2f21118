// Objects for `npm run analyze`: parsed from YAML and JSON text, filled in the way the API
// server and istioctl fill them (namespace, Secret stringData), and overlaid on the cluster's.
// Pure.
import { isCollection, isMap, isNode, LineCounter, parseAllDocuments, type Node } from 'yaml';
import { K, keyOf, kindOf } from '../kinds';
import type { AnalysisObject, Kind } from '../types';

/**
 * Where an object was written: its file and line, and the line of a field (a finding's `path`),
 * for istioctl's `(Kind ns/name file.yaml:12)` references. No lines for JSON read as JSON.
 */
export interface Place {
  source: string;
  line?: number;
  lineOf(path: string | undefined): number | undefined;
}

/** A finding path (`spec.http[0].route[1]`, `metadata.annotations["a.b/c"]`) as keys and indexes. */
export function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[["']([^"']*)["']\]/g)) {
    segments.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3]!));
  }
  return segments;
}

function placeOf(source: string, node: Node | undefined, lines: LineCounter | undefined): Place {
  const lineAt = (n: Node | undefined) => (n?.range && lines ? lines.linePos(n.range[0]).line : undefined);
  const line = lineAt(node);
  return {
    source,
    ...(line === undefined ? {} : { line }),
    lineOf(path) {
      if (!path || !isCollection(node)) return line;
      // The deepest part of the path that exists (a finding may point at a field left unset).
      const segments = pathSegments(path);
      for (let n = segments.length; n > 0; n--) {
        const found: unknown = node.getIn(segments.slice(0, n), true);
        if (isNode(found)) return lineAt(found);
      }
      return line;
    },
  };
}

/** A document that is not a Kubernetes object. */
export interface ParseProblem {
  source: string;
  message: string;
}

/** Namespaces istioctl leaves out of every analysis (istio pkg/kube/inject IgnoredNamespaces). */
export const IGNORED_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** The analyzed kinds that are cluster-scoped: everything else in K takes a namespace. */
export const CLUSTER_SCOPED: ReadonlySet<Kind> = new Set<Kind>([
  K.Namespace,
  K.MutatingWebhookConfiguration,
  K.ValidatingWebhookConfiguration,
  K.CustomResourceDefinition,
  K.GatewayClass,
]);

const ANALYZED_KINDS: ReadonlySet<Kind> = new Set(Object.values(K));

/** Whether analyzers read this kind at all (others, e.g. a PrometheusRule, are skipped). */
export const isAnalyzedKind = (kind: Kind) => ANALYZED_KINDS.has(kind);

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The values of a multi-document YAML (or JSON) text. A text of JSON documents between `---`
 * lines (what generators write) is read with JSON.parse, much faster than the YAML parser.
 */
function documentValues(text: string): { documents: ({ value: unknown; node?: Node } | { error: string })[]; lines?: LineCounter } {
  const chunks = text.split(/^---[ \t]*$/m).filter((chunk) => chunk.trim() !== '');
  if (chunks.every((chunk) => /^\s*[{[]/.test(chunk))) {
    try {
      return { documents: chunks.map((chunk) => ({ value: JSON.parse(chunk) as unknown })) };
    } catch {
      // Flow-style YAML, not JSON: the YAML parser below reads it.
    }
  }
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter: lines }).map((document) =>
    document.errors.length
      ? { error: document.errors[0]!.message.split('\n')[0]! }
      : { value: document.toJS() as unknown, ...(isNode(document.contents) ? { node: document.contents } : {}) },
  );
  return { documents, lines };
}

/** Fills in what the API server would: apiVersion/kind from the list, Secret stringData as data. */
function normalize(value: Record<string, unknown>): AnalysisObject {
  const object = value as unknown as AnalysisObject;
  if (object.kind === 'Secret' && isRecord(object.stringData)) {
    const data = { ...object.data };
    for (const [key, text] of Object.entries(object.stringData)) data[key] = Buffer.from(String(text)).toString('base64');
    const { stringData: _stringData, ...rest } = object;
    return { ...rest, data };
  }
  return object;
}

/**
 * The objects of one file's text: every document, and the items of `List` documents
 * (`kind: List`, `VirtualServiceList`). Documents that are not objects are problems; empty ones
 * are skipped, as kubectl does.
 */
export function parseObjects(text: string, source: string): { objects: AnalysisObject[]; places: Place[]; problems: ParseProblem[] } {
  const problems: ParseProblem[] = [];
  const objects: AnalysisObject[] = [];
  const places: Place[] = [];
  const { documents, lines } = documentValues(text);
  const visit = (value: unknown, node: Node | undefined, where: string, listApiVersion?: string, listKind?: string) => {
    if (value === null || value === undefined) return;
    if (!isRecord(value)) return void problems.push({ source, message: `${where}: not a Kubernetes object` });
    if (Array.isArray(value.items) && typeof value.kind === 'string' && value.kind.endsWith('List')) {
      const itemKind = value.kind === 'List' ? undefined : value.kind.slice(0, -'List'.length);
      const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : undefined;
      value.items.forEach((item, i) => {
        const itemNode: unknown = isMap(node) ? node.getIn(['items', i], true) : undefined;
        visit(item, isNode(itemNode) ? itemNode : undefined, `${where} item ${i + 1}`, apiVersion, itemKind);
      });
      return;
    }
    const withType: Record<string, unknown> = { ...value, apiVersion: value.apiVersion ?? listApiVersion, kind: value.kind ?? listKind };
    const metadata = value.metadata;
    if (typeof withType.apiVersion !== 'string' || typeof withType.kind !== 'string' || !isRecord(metadata) || typeof metadata.name !== 'string') {
      return void problems.push({ source, message: `${where}: a Kubernetes object needs apiVersion, kind and metadata.name` });
    }
    objects.push(normalize(withType));
    places.push(placeOf(source, node, lines));
  };
  documents.forEach((document, i) => {
    if ('error' in document) problems.push({ source, message: `document ${i + 1}: ${document.error}` });
    else visit(document.value, document.node, `document ${i + 1}`);
  });
  return { objects, places, problems };
}

/** Gives namespaced objects without a namespace `namespace`, and takes it away from cluster-scoped ones. */
export function withNamespace(object: AnalysisObject, namespace: string): AnalysisObject {
  const clusterScoped = CLUSTER_SCOPED.has(kindOf(object));
  if (clusterScoped === (object.metadata.namespace === undefined)) return object;
  const { namespace: _namespace, ...metadata } = object.metadata;
  return { ...object, metadata: clusterScoped ? metadata : { ...metadata, namespace } };
}

/** Whether istioctl would analyze this object at all (not in kube-system and the like, not such a namespace itself). */
export function inAnalyzedNamespace(object: AnalysisObject): boolean {
  const namespace = kindOf(object) === K.Namespace ? object.metadata.name : object.metadata.namespace;
  return namespace === undefined || !IGNORED_NAMESPACES.has(namespace);
}

/** The cluster's objects with the files' on top: a file object replaces the cluster's of the same kind, namespace and name. */
export function overlay(cluster: Iterable<AnalysisObject>, files: Iterable<AnalysisObject>): AnalysisObject[] {
  const byKey = new Map<string, AnalysisObject>();
  for (const object of cluster) byKey.set(keyOf(object), object);
  for (const object of files) byKey.set(keyOf(object), object);
  return [...byKey.values()];
}

/**
 * What istioctl adds when it reads no cluster (local AddDefaultResources): the ingress gateway
 * Service and a stand-in pod in the Istio namespace, so Gateways selecting `istio: ingressgateway`
 * are not reported as selecting nothing. Files that define them win (they are overlaid later).
 */
export function defaultIngressGateway(istioNamespace = 'istio-system'): AnalysisObject[] {
  const labels = { istio: 'ingressgateway' };
  const port = (name: string, number: number) => ({ name, port: number, protocol: 'TCP', targetPort: number });
  return [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'istio-ingressgateway-dummypod', namespace: istioNamespace, labels },
      spec: { containers: [{ name: 'istio-proxy' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-ingressgateway', namespace: istioNamespace },
      spec: { selector: labels, ports: [port('http2', 80), port('https', 443), port('tcp', 31400), port('tls', 15443)] },
    },
  ];
}

/** `--meshConfigFile`: the mesh config as the `istio` ConfigMap that analyzers read (mesh-config.ts), to overlay last. */
export function meshConfigMap(meshConfig: string, istioNamespace = 'istio-system'): AnalysisObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: istioNamespace }, data: { mesh: meshConfig } };
}
