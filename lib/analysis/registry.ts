// Every analyzer, in one list: the CLI, the dashboard and the write gate all run exactly these.
import { annotationsAlpha } from './analyzers/annotations-alpha';
import { annotationsK8s } from './analyzers/annotations-k8s';
import { authnBlockedCidrs } from './analyzers/authn-blockedcidrs';
import { authzAuthorizationPolicies } from './analyzers/authz-authorizationpolicies';
import { conditionsNegative } from './analyzers/conditions-negative';
import { deploymentApplicationUid } from './analyzers/deployment-application-uid';
import { deploymentServices } from './analyzers/deployment-services';
import { deprecationField } from './analyzers/deprecation-field';
import { destinationRuleCaCertificates } from './analyzers/destinationrule-cacertificates';
import { destinationRuleSubsets } from './analyzers/destinationrule-subsets';
import { envoyFilterPatches } from './analyzers/envoyfilter-patches';
import { envoyFilterRouteCache } from './analyzers/envoyfilter-routecache';
import { externalControlPlaneWebhooks } from './analyzers/externalcontrolplane-webhooks';
import { gatewayCertificate } from './analyzers/gateway-certificate';
import { gatewayConflicting } from './analyzers/gateway-conflicting';
import { gatewayIngressPort } from './analyzers/gateway-ingressport';
import { gatewaySecret } from './analyzers/gateway-secret';
import { injectionAnalyzer } from './analyzers/injection-analyzer';
import { injectionImage } from './analyzers/injection-image';
import { injectionImageAuto } from './analyzers/injection-image-auto';
import { k8sGatewayCrdVersion } from './analyzers/k8sgateway-crdversion';
import { k8sGatewaySelector } from './analyzers/k8sgateway-selector';
import { meshdeckAuthzPrincipals } from './analyzers/meshdeck-authz-principals';
import { meshdeckEmergencyPermissive } from './analyzers/meshdeck-emergency-permissive';
import { meshdeckOutlierEjection } from './analyzers/meshdeck-outlier-ejection';
import { meshdeckRetryBudget } from './analyzers/meshdeck-retry-budget';
import { meshdeckRouteWeights } from './analyzers/meshdeck-route-weights';
import { meshdeckShadowedRoutes } from './analyzers/meshdeck-shadowed-routes';
import { meshdeckStrictTlsDisabled } from './analyzers/meshdeck-strict-tls-disabled';
import { meshdeckTokenRequired } from './analyzers/meshdeck-token-required';
import { meshdeckUnusedSubsets } from './analyzers/meshdeck-unused-subsets';
import { meshdeckZeroWeightSubsets } from './analyzers/meshdeck-zero-weight-subsets';
import { multiclusterMeshNetworks } from './analyzers/multicluster-meshnetworks';
import { schemaVirtualService } from './analyzers/schema-virtualservice';
import { servicePortName } from './analyzers/service-portname';
import { serviceEntryConflictingProtocols } from './analyzers/serviceentry-conflictingprotocols';
import { serviceEntryProtocolAddresses } from './analyzers/serviceentry-protocoladdresses';
import { sidecarDefaultSelector, sidecarSelector } from './analyzers/sidecar-selector';
import { telemetryLightstep, telemetryProviders } from './analyzers/telemetry-providers';
import { telemetryDefaultSelector, telemetrySelector } from './analyzers/telemetry-selector';
import { virtualServiceConflictingMeshGatewayHosts } from './analyzers/virtualservice-conflictingmeshgatewayhosts';
import { virtualServiceDestinationHosts } from './analyzers/virtualservice-destinationhosts';
import { virtualServiceDestinationRules } from './analyzers/virtualservice-destinationrules';
import { virtualServiceGateways } from './analyzers/virtualservice-gateways';
import { virtualServiceJwtClaimRoute } from './analyzers/virtualservice-jwtclaimroute';
import { virtualServiceRegexes } from './analyzers/virtualservice-regexes';
import { webhookInjectors } from './analyzers/webhook-injectors';
import type { Analyzer } from './types';

// Grouped by area (the file names), as istioctl lists its analyzers.
export const ANALYZERS: readonly Analyzer[] = [
  annotationsAlpha,
  annotationsK8s,
  authnBlockedCidrs,
  authzAuthorizationPolicies,
  conditionsNegative,
  deploymentApplicationUid,
  deploymentServices,
  deprecationField,
  destinationRuleCaCertificates,
  destinationRuleSubsets,
  envoyFilterPatches,
  envoyFilterRouteCache,
  externalControlPlaneWebhooks,
  gatewayCertificate,
  gatewayConflicting,
  gatewayIngressPort,
  gatewaySecret,
  injectionAnalyzer,
  injectionImage,
  injectionImageAuto,
  k8sGatewayCrdVersion,
  k8sGatewaySelector,
  meshdeckAuthzPrincipals,
  meshdeckEmergencyPermissive,
  meshdeckOutlierEjection,
  meshdeckRetryBudget,
  meshdeckRouteWeights,
  meshdeckShadowedRoutes,
  meshdeckStrictTlsDisabled,
  meshdeckTokenRequired,
  meshdeckUnusedSubsets,
  meshdeckZeroWeightSubsets,
  multiclusterMeshNetworks,
  schemaVirtualService,
  servicePortName,
  serviceEntryConflictingProtocols,
  serviceEntryProtocolAddresses,
  sidecarDefaultSelector,
  sidecarSelector,
  telemetryLightstep,
  telemetryProviders,
  telemetryDefaultSelector,
  telemetrySelector,
  virtualServiceConflictingMeshGatewayHosts,
  virtualServiceDestinationHosts,
  virtualServiceDestinationRules,
  virtualServiceGateways,
  virtualServiceJwtClaimRoute,
  virtualServiceRegexes,
  webhookInjectors,
];
