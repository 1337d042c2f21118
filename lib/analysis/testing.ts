// Fixtures for analyzer tests: objects written the way people write them, in a few lines.
import { Analysis } from './engine';
import type { AnalysisObject, Analyzer, Finding } from './types';

const API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  Pod: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Deployment: 'apps/v1',
  MutatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  ValidatingWebhookConfiguration: 'admissionregistration.k8s.io/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  VirtualService: 'networking.istio.io/v1',
  DestinationRule: 'networking.istio.io/v1',
  Gateway: 'networking.istio.io/v1',
  ServiceEntry: 'networking.istio.io/v1',
  Sidecar: 'networking.istio.io/v1',
  WorkloadEntry: 'networking.istio.io/v1',
  EnvoyFilter: 'networking.istio.io/v1alpha3',
  PeerAuthentication: 'security.istio.io/v1',
  RequestAuthentication: 'security.istio.io/v1',
  AuthorizationPolicy: 'security.istio.io/v1',
  Telemetry: 'telemetry.istio.io/v1',
  WasmPlugin: 'extensions.istio.io/v1alpha1',
};

type Extra = Omit<Partial<AnalysisObject>, 'metadata'> & { metadata?: Partial<AnalysisObject['metadata']>; apiVersion?: string };

/**
 * An object of `kind` (`'VirtualService'`, or `'Gateway'` with `apiVersion` for Gateway API),
 * named `namespace/name` (`name` alone for cluster-scoped kinds).
 */
export function obj(kind: string, ref: string, spec?: unknown, extra: Extra = {}): AnalysisObject {
  const [namespace, name] = ref.includes('/') ? ref.split('/') : [undefined, ref];
  const { metadata, apiVersion, ...rest } = extra;
  return {
    apiVersion: apiVersion ?? API_VERSIONS[kind] ?? 'v1',
    kind,
    metadata: { name: name!, ...(namespace ? { namespace } : {}), ...metadata },
    ...(spec === undefined ? {} : { spec }),
    ...rest,
  };
}

/** The findings of some analyzers over some objects. */
export function findingsOf(analyzers: Analyzer | readonly Analyzer[], objects: AnalysisObject[]): readonly Finding[] {
  return new Analysis(Array.isArray(analyzers) ? analyzers : [analyzers as Analyzer], objects).findings();
}

/** `CODE Kind ns/name` lines, for compact assertions. */
export const summarize = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.code} ${f.origin.kind} ${f.origin.namespace ? `${f.origin.namespace}/` : ''}${f.origin.name}${f.path ? ` ${f.path}` : ''}`);
