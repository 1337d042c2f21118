// The parts of Istio's networking API Meshdeck reads and writes: the same in every served
// version (v1, v1beta1, v1alpha3), so nothing here depends on the apiVersion an object was
// stored through, and no patch builder writes one.

export interface ObjectMeta {
  name: string;
  namespace: string;
  resourceVersion: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; controller?: boolean }[];
  creationTimestamp?: string;
}

export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

/** Every field of Istio's HTTPMatchRequest (networking/v1 and earlier). */
export interface HTTPMatchRequest {
  name?: string;
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  ignoreUriCase?: boolean;
  sourceLabels?: Record<string, string>;
  gateways?: string[];
  port?: number;
  sourceNamespace?: string;
  statPrefix?: string;
}

export interface Destination {
  host: string;
  subset?: string;
  port?: { number?: number };
}

export interface HTTPRouteDestination {
  destination: Destination;
  weight?: number;
  headers?: unknown;
}

export interface HTTPRoute {
  name?: string;
  match?: HTTPMatchRequest[];
  route?: HTTPRouteDestination[];
  redirect?: unknown;
  delegate?: { name: string; namespace?: string };
  mirror?: Destination;
  mirrorPercentage?: { value: number };
  mirrors?: { destination: Destination; percentage?: { value: number } }[];
  timeout?: string;
  retries?: { attempts?: number; perTryTimeout?: string; retryOn?: string };
  fault?: { delay?: { fixedDelay?: string; percentage?: { value: number } }; abort?: { httpStatus?: number; percentage?: { value: number } } };
}

export interface VirtualService {
  apiVersion: string;
  kind: 'VirtualService';
  metadata: ObjectMeta;
  spec: { hosts?: string[]; gateways?: string[]; http?: HTTPRoute[]; tcp?: unknown[]; tls?: unknown[] };
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  trafficPolicy?: Record<string, unknown>;
}

export interface DestinationRule {
  apiVersion: string;
  kind: 'DestinationRule';
  metadata: ObjectMeta;
  spec: { host: string; subsets?: Subset[]; trafficPolicy?: Record<string, unknown>; exportTo?: string[] };
}
