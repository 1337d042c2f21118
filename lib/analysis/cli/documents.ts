// Objects for `npm run analyze`: parsed from YAML and JSON text, filled in the way the API
// server and istioctl fill them (namespace, Secret stringData), and overlaid on the cluster's.
// Pure.
import { parseAllDocuments } from 'yaml';
import { K, keyOf, kindOf } from '../kinds';
import type { AnalysisObject, Kind } from '../types';

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
function documentValues(text: string): ({ value: unknown } | { error: string })[] {
  const chunks = text.split(/^---[ \t]*$/m).filter((chunk) => chunk.trim() !== '');
  if (chunks.every((chunk) => /^\s*[{[]/.test(chunk))) {
    try {
      return chunks.map((chunk) => ({ value: JSON.parse(chunk) as unknown }));
    } catch {
      // Flow-style YAML, not JSON: the YAML parser below reads it.
    }
  }
  return parseAllDocuments(text).map((document) =>
    document.errors.length ? { error: document.errors[0]!.message.split('\n')[0]! } : { value: document.toJS() as unknown },
  );
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
export function parseObjects(text: string, source: string): { objects: AnalysisObject[]; problems: ParseProblem[] } {
  const problems: ParseProblem[] = [];
  const objects: AnalysisObject[] = [];
  const visit = (value: unknown, where: string, listApiVersion?: string, listKind?: string) => {
    if (value === null || value === undefined) return;
    if (!isRecord(value)) return void problems.push({ source, message: `${where}: not a Kubernetes object` });
    if (Array.isArray(value.items) && typeof value.kind === 'string' && value.kind.endsWith('List')) {
      const itemKind = value.kind === 'List' ? undefined : value.kind.slice(0, -'List'.length);
      value.items.forEach((item, i) => visit(item, `${where} item ${i + 1}`, typeof value.apiVersion === 'string' ? value.apiVersion : undefined, itemKind));
      return;
    }
    const withType: Record<string, unknown> = { ...value, apiVersion: value.apiVersion ?? listApiVersion, kind: value.kind ?? listKind };
    const metadata = value.metadata;
    if (typeof withType.apiVersion !== 'string' || typeof withType.kind !== 'string' || !isRecord(metadata) || typeof metadata.name !== 'string') {
      return void problems.push({ source, message: `${where}: a Kubernetes object needs apiVersion, kind and metadata.name` });
    }
    objects.push(normalize(withType));
  };
  documentValues(text).forEach((document, i) => {
    if ('error' in document) problems.push({ source, message: `document ${i + 1}: ${document.error}` });
    else visit(document.value, `document ${i + 1}`);
  });
  return { objects, problems };
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
