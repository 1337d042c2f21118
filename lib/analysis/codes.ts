// Every code an analyzer may report, with its level. IST codes and levels are Istio's
// (istio/istio pkg/config/analysis/msg/messages.yaml, as documented at
// istio.io/latest/docs/reference/config/analysis); MDK codes are Meshdeck's own rules, for
// what Istio does not check. A code is never reused for another meaning. Istio codes no
// analyzer of istioctl analyze reports any more are left out: IST0113 and IST0119 (their
// analyzers went with the removed authentication.istio.io Policy), IST0141 and IST0142 (install
// prechecks, not analysis), IST0143 (needs a running pod's listening sockets, not configuration).
import type { Level } from './types';

export interface CodeInfo {
  code: string;
  name: string;
  level: Level;
  description: string;
}

const ist = (code: string, name: string, level: Level, description: string): CodeInfo => ({ code, name, level, description });

export const CODES: readonly CodeInfo[] = [
  ist('IST0001', 'InternalError', 'Error', 'An analyzer failed on this object: a bug in the analyzer, reported rather than hidden.'),
  ist('IST0002', 'Deprecated', 'Warning', 'A feature the configuration depends on is deprecated.'),
  ist('IST0101', 'ReferencedResourceNotFound', 'Error', 'A resource being referenced does not exist.'),
  ist('IST0102', 'NamespaceNotInjected', 'Info', 'A namespace is not enabled for Istio injection.'),
  ist('IST0103', 'PodMissingProxy', 'Warning', 'A pod is missing the Istio proxy.'),
  ist('IST0106', 'SchemaValidationError', 'Error', 'The resource has a schema validation error.'),
  ist('IST0107', 'MisplacedAnnotation', 'Warning', 'An Istio annotation is applied to the wrong kind of resource.'),
  ist('IST0108', 'UnknownAnnotation', 'Warning', 'An Istio annotation is not recognized for any kind of resource.'),
  ist('IST0109', 'ConflictingMeshGatewayVirtualServiceHosts', 'Error', 'VirtualServices bound to the mesh gateway define the same host.'),
  ist('IST0110', 'ConflictingSidecarWorkloadSelectors', 'Error', 'A Sidecar selects the same workloads as another Sidecar.'),
  ist('IST0111', 'MultipleSidecarsWithoutWorkloadSelectors', 'Error', 'More than one Sidecar in a namespace has no workload selector.'),
  ist('IST0112', 'VirtualServiceDestinationPortSelectorRequired', 'Error', 'A route goes to a service with several ports without saying which.'),
  ist('IST0116', 'DeploymentAssociatedToMultipleServices', 'Warning', 'A deployment is behind several services using one port with different protocols.'),
  ist('IST0118', 'PortNameIsNotUnderNamingConvention', 'Info', 'A port name does not follow Istio naming; protocol detection applies.'),
  ist('IST0122', 'InvalidRegexp', 'Warning', 'A regular expression is invalid.'),
  ist('IST0123', 'NamespaceMultipleInjectionLabels', 'Warning', 'A namespace has more than one kind of injection label.'),
  ist('IST0125', 'InvalidAnnotation', 'Warning', 'An Istio annotation has an invalid value.'),
  ist('IST0126', 'UnknownMeshNetworksServiceRegistry', 'Error', 'A service registry in mesh networks is unknown.'),
  ist('IST0127', 'NoMatchingWorkloadsFound', 'Warning', 'No workload matches the resource labels.'),
  ist('IST0128', 'NoServerCertificateVerificationDestinationLevel', 'Warning', 'TLS to a host without caCertificates: the server certificate is not verified.'),
  ist('IST0129', 'NoServerCertificateVerificationPortLevel', 'Warning', 'TLS to a port without caCertificates: the server certificate is not verified.'),
  ist('IST0130', 'VirtualServiceUnreachableRule', 'Warning', 'A VirtualService rule is never used because an earlier rule has the same match.'),
  ist('IST0131', 'VirtualServiceIneffectiveMatch', 'Info', 'A VirtualService match duplicates a match of an earlier rule.'),
  ist('IST0132', 'VirtualServiceHostNotFoundInGateway', 'Warning', 'A VirtualService host is not served by the gateway it binds to.'),
  ist('IST0133', 'SchemaWarning', 'Warning', 'The resource has a schema validation warning.'),
  ist('IST0134', 'ServiceEntryAddressesRequired', 'Warning', 'Addresses are required for TCP (or unset protocol) ports of a ServiceEntry.'),
  ist('IST0135', 'DeprecatedAnnotation', 'Info', 'A resource uses a deprecated Istio annotation.'),
  ist('IST0136', 'AlphaAnnotation', 'Info', 'An Istio annotation belongs to an alpha-phase feature.'),
  ist('IST0137', 'DeploymentConflictingPorts', 'Warning', 'Services selecting one workload with the same targetPort use different ports.'),
  ist('IST0138', 'GatewayDuplicateCertificate', 'Warning', 'One certificate in several gateways may cause 404s when clients reuse HTTP/2 connections.'),
  ist('IST0139', 'InvalidWebhook', 'Error', 'A webhook is invalid or references a control plane service that does not exist.'),
  ist('IST0140', 'IngressRouteRulesNotAffected', 'Warning', 'Route rules have no effect on ingress gateway requests.'),
  ist('IST0144', 'InvalidApplicationUID', 'Warning', 'Application pods should not run as UID 1337 (reserved for the proxy).'),
  ist('IST0145', 'ConflictingGateways', 'Error', 'Gateways with the same selector and port serve matching hosts.'),
  ist('IST0146', 'ImageAutoWithoutInjectionWarning', 'Warning', 'A deployment with `image: auto` is not targeted for injection.'),
  ist('IST0147', 'ImageAutoWithoutInjectionError', 'Error', 'A pod with `image: auto` is not targeted for injection.'),
  ist('IST0148', 'NamespaceInjectionEnabledByDefault', 'Info', 'The namespace is injected because Istio enables namespaces by default.'),
  ist('IST0149', 'JwtClaimBasedRoutingWithoutRequestAuthN', 'Error', 'A route matches JWT claims but no RequestAuthentication applies to the gateway.'),
  ist('IST0150', 'ExternalNameServiceTypeInvalidPortName', 'Warning', 'An ExternalName service port name may keep TCP traffic from being forwarded.'),
  ist('IST0151', 'EnvoyFilterUsesRelativeOperation', 'Warning', 'An EnvoyFilter without priority uses a relative patch operation.'),
  ist('IST0152', 'EnvoyFilterUsesReplaceOperationIncorrectly', 'Error', 'REPLACE is only valid for HTTP_FILTER and NETWORK_FILTER.'),
  ist('IST0153', 'EnvoyFilterUsesAddOperationIncorrectly', 'Error', 'ADD is ignored when applyTo is ROUTE_CONFIGURATION or HTTP_ROUTE.'),
  ist('IST0154', 'EnvoyFilterUsesRemoveOperationIncorrectly', 'Error', 'REMOVE is ignored when applyTo is ROUTE_CONFIGURATION or HTTP_ROUTE.'),
  ist(
    'IST0155',
    'EnvoyFilterUsesRelativeOperationWithProxyVersion',
    'Warning',
    'A relative patch with proxyVersion and no priority may not apply during an upgrade.',
  ),
  ist('IST0156', 'UnsupportedGatewayAPIVersion', 'Error', 'The Gateway API CRD version is not supported.'),
  ist('IST0157', 'InvalidTelemetryProvider', 'Warning', 'A Telemetry with empty providers is ignored.'),
  ist('IST0158', 'PodsIstioProxyImageMismatchInNamespace', 'Warning', 'Proxy images of pods differ from the injection configuration.'),
  ist('IST0159', 'ConflictingTelemetryWorkloadSelectors', 'Error', 'A Telemetry selects the same workloads as another Telemetry.'),
  ist('IST0160', 'MultipleTelemetriesWithoutWorkloadSelectors', 'Error', 'More than one Telemetry in a namespace has no workload selector.'),
  ist('IST0161', 'InvalidGatewayCredential', 'Error', 'The credential a Gateway references is missing or invalid.'),
  ist('IST0162', 'GatewayPortNotDefinedOnService', 'Warning', 'A gateway listens on a port its Service does not expose.'),
  ist('IST0163', 'InvalidExternalControlPlaneConfig', 'Warning', 'The external control plane address in a webhook is not valid.'),
  ist('IST0164', 'ExternalControlPlaneAddressIsNotAHostname', 'Info', 'The external control plane address in a webhook is an IP, not a hostname.'),
  ist('IST0166', 'IneffectiveSelector', 'Warning', 'A policy selector matches Kubernetes Gateway pods, where selectors have no effect.'),
  // IST0167 onward are newer than the messages.yaml in the reference index: each confirmed on its
  // istio.io page (istio.io/latest/docs/reference/config/analysis/ist0NNN) and by the analyzer source.
  ist('IST0167', 'IneffectivePolicy', 'Warning', 'A policy has no effect (e.g. a Sidecar for a workload or namespace in ambient mode).'),
  ist('IST0171', 'NegativeConditionStatus', 'Warning', 'The status of a resource has a condition that shows a problem.'),
  ist('IST0172', 'FutureUnsupportedGatewayAPIVersion', 'Warning', 'A Gateway API CRD does not serve the version future Istio releases require.'),
  ist('IST0173', 'DestinationRuleSubsetNotSelectPods', 'Error', 'A DestinationRule subset selects no pods: requests to it fail with 503 UH.'),
  ist('IST0174', 'UnknownDestinationRuleHost', 'Warning', 'The host of a DestinationRule matches no Service or ServiceEntry in the mesh.'),
  ist('IST0175', 'JwksUriFetchUnrestricted', 'Warning', 'RequestAuthentications exist but istiod has no BLOCKED_CIDRS_IN_JWKS_URIS.'),
  ist('IST0176', 'GatewayAPICRDVersionBelowMinimum', 'Warning', 'A Gateway API CRD is older than Istio needs: its resources are not processed.'),
  ist('IST0177', 'ConflictingServiceEntryProtocol', 'Warning', 'ServiceEntries define one host and port with different protocols.'),
  ist('IST0178', 'EnvoyFilterMayClearRouteCache', 'Warning', 'An EnvoyFilter HTTP filter may clear the route cache after route-dependent authorization ran.'),

  // Meshdeck's own rules.
  ist('MDK0001', 'ShadowedRoute', 'Warning', 'An earlier route matches every request this one would: it is never used.'),
  ist('MDK0002', 'WeightsDoNotSumTo100', 'Warning', 'The weights of a route do not add up to 100.'),
  ist(
    'MDK0003',
    'ZeroWeightSubsetWithoutEndpoints',
    'Info',
    'A 0-weight destination names a subset no running pod belongs to: moving weight to it would fail.',
  ),
  ist('MDK0004', 'UnusedSubset', 'Info', 'No route uses this DestinationRule subset.'),
  ist('MDK0005', 'StrictMtlsWithTlsDisabled', 'Error', 'A STRICT PeerAuthentication meets a DestinationRule that disables TLS toward it: requests fail.'),
  ist('MDK0006', 'EmergencyPermissiveActive', 'Warning', 'An emergency PERMISSIVE override is active.'),
  ist('MDK0007', 'AuthorizationPolicyUnknownSource', 'Warning', 'An AuthorizationPolicy names a namespace or principal that does not exist.'),
  ist('MDK0008', 'TokenNotRequired', 'Warning', 'A RequestAuthentication validates tokens but no policy requires one: requests without a token pass.'),
  ist('MDK0009', 'RetriesExceedTimeout', 'Warning', 'Retries (attempts × per-try timeout) take longer than the route timeout.'),
  ist('MDK0010', 'OutlierDetectionCannotEject', 'Warning', 'Outlier detection can never eject a host, given the endpoint count.'),
];

const byCode = new Map(CODES.map((info) => [info.code, info]));

/** The catalogue entry of a code; throws for an unknown code (an analyzer bug, caught by the tests). */
export function codeInfo(code: string): CodeInfo {
  const info = byCode.get(code);
  if (!info) throw new Error(`Unknown analysis code ${code}: add it to lib/analysis/codes.ts`);
  return info;
}

export const isKnownCode = (code: string) => byCode.has(code);
