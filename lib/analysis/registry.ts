// Every analyzer, in one list: the CLI, the dashboard and the write gate all run exactly these.
import { annotationsAlpha } from './analyzers/annotations-alpha';
import { annotationsK8s } from './analyzers/annotations-k8s';
import { deploymentApplicationUid } from './analyzers/deployment-application-uid';
import { deploymentServices } from './analyzers/deployment-services';
import { deprecationField } from './analyzers/deprecation-field';
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
import { meshdeckRouteWeights } from './analyzers/meshdeck-route-weights';
import { meshdeckUnusedSubsets } from './analyzers/meshdeck-unused-subsets';
import { meshdeckZeroWeightSubsets } from './analyzers/meshdeck-zero-weight-subsets';
import { multiclusterMeshNetworks } from './analyzers/multicluster-meshnetworks';
import { schemaVirtualService } from './analyzers/schema-virtualservice';
import { virtualServiceConflictingMeshGatewayHosts } from './analyzers/virtualservice-conflictingmeshgatewayhosts';
import { virtualServiceDestinationHosts } from './analyzers/virtualservice-destinationhosts';
import { virtualServiceDestinationRules } from './analyzers/virtualservice-destinationrules';
import { authzAuthorizationPolicies } from './analyzers/authz-authorizationpolicies';
import { authnBlockedCidrs } from './analyzers/authn-blockedcidrs';
import { conditionsNegative } from './analyzers/conditions-negative';
import { destinationRuleCaCertificates } from './analyzers/destinationrule-cacertificates';
import { servicePortName } from './analyzers/service-portname';
import { meshdeckRetryBudget } from './analyzers/meshdeck-retry-budget';
import { meshdeckOutlierEjection } from './analyzers/meshdeck-outlier-ejection';
import { serviceEntryProtocolAddresses } from './analyzers/serviceentry-protocoladdresses';
import { serviceEntryConflictingProtocols } from './analyzers/serviceentry-conflictingprotocols';
import { virtualServiceGateways } from './analyzers/virtualservice-gateways';
import { virtualServiceJwtClaimRoute } from './analyzers/virtualservice-jwtclaimroute';
import { meshdeckStrictTlsDisabled } from './analyzers/meshdeck-strict-tls-disabled';
import { meshdeckEmergencyPermissive } from './analyzers/meshdeck-emergency-permissive';
import { meshdeckAuthzPrincipals } from './analyzers/meshdeck-authz-principals';
import { meshdeckTokenRequired } from './analyzers/meshdeck-token-required';
import { virtualServiceRegexes } from './analyzers/virtualservice-regexes';
import { webhookInjectors } from './analyzers/webhook-injectors';
import { sidecarDefaultSelector, sidecarSelector } from './analyzers/sidecar-selector';
import { telemetryDefaultSelector, telemetrySelector } from './analyzers/telemetry-selector';
import { telemetryLightstep, telemetryProviders } from './analyzers/telemetry-providers';
import { k8sGatewaySelector } from './analyzers/k8sgateway-selector';
import { meshdeckShadowedRoutes } from './analyzers/meshdeck-shadowed-routes';
import { destinationRuleSubsets } from './analyzers/destinationrule-subsets';
import type { Analyzer } from './types';

export const ANALYZERS: readonly Analyzer[] = [
  virtualServiceDestinationRules,
  virtualServiceConflictingMeshGatewayHosts,
  annotationsK8s,
  annotationsAlpha,
  meshdeckRouteWeights,
  meshdeckZeroWeightSubsets,
  meshdeckUnusedSubsets,
  gatewayIngressPort,
  gatewaySecret,
  gatewayConflicting,
  gatewayCertificate,
  authzAuthorizationPolicies,
  deprecationField,
  deploymentServices,
  deploymentApplicationUid,
  virtualServiceDestinationHosts,
  authnBlockedCidrs,
  conditionsNegative,
  destinationRuleCaCertificates,
  servicePortName,
  envoyFilterPatches,
  envoyFilterRouteCache,
  meshdeckRetryBudget,
  meshdeckOutlierEjection,
  serviceEntryProtocolAddresses,
  serviceEntryConflictingProtocols,
  virtualServiceGateways,
  injectionAnalyzer,
  injectionImage,
  injectionImageAuto,
  multiclusterMeshNetworks,
  virtualServiceJwtClaimRoute,
  meshdeckStrictTlsDisabled,
  meshdeckEmergencyPermissive,
  meshdeckAuthzPrincipals,
  meshdeckTokenRequired,
  webhookInjectors,
  externalControlPlaneWebhooks,
  k8sGatewayCrdVersion,
  sidecarSelector,
  sidecarDefaultSelector,
  telemetrySelector,
  telemetryDefaultSelector,
  telemetryProviders,
  telemetryLightstep,
  k8sGatewaySelector,
  virtualServiceRegexes,
  meshdeckShadowedRoutes,
  destinationRuleSubsets,
  schemaVirtualService,
];
