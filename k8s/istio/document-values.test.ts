// Every value the platform document (shared/brief/seed-service-mesh.md) gives, checked
// against the manifests. Changing a number, header or regex in k8s/istio fails here.
import { describe, expect, it } from 'vitest';
import { findObject, loadManifests } from './manifests.ts';

const documentValues = {
  namespace: 'ai-nutritionist',
  gatewayHost: 'api.ai-nutritionist.com',
  tlsSecret: 'ai-nutritionist-tls',
  services: ['nutrition-service', 'ai-coach-service', 'messaging-service', 'payment-service', 'health-tracking-service'],
  loadBalancer: { 'messaging-service': 'ROUND_ROBIN', 'nutrition-service': 'LEAST_CONN', 'health-tracking-service': 'LEAST_CONN' },
  consistentHashHeader: 'x-user-id',
  connectionPoolRanges: {
    maxConnections: [100, 500],
    connectTimeoutSeconds: [10, 30],
    http1MaxPendingRequests: [25, 100],
    http2MaxRequests: [50, 200],
    maxRequestsPerConnection: [1, 20],
    maxRetries: [1, 3],
  },
  canary: { headers: { 'x-user-tier': 'beta', 'x-canary-enabled': 'true' }, betaCanaryWeight: 100, stable: 95, canary: 5 },
  abTest: { header: 'x-ab-test', value: 'nutrition-algorithm', weights: [50, 50] },
  blueGreen: { 'x-deployment-target': 'green', 'x-testing-mode': 'enabled' },
  featureFlags: { 'x-feature-flag-new-provider': 'enabled', 'x-feature-flag-enhanced-messaging': 'enabled' },
  loadTest: ['x-load-test', 'x-test-scenario'],
  circuitBreakerTestHeader: { 'x-circuit-breaker-test': 'enabled' },
  euCountries: 'DE|FR|IT|ES|NL|BE|AT|PT|PL|CZ|HU|SK|SI|HR|BG|RO|GR|CY|MT|LU|LV|LT|EE|FI|SE|DK|IE',
  usCountry: 'US',
  aiCoachBreaker: {
    connectionPool: { tcp: { maxConnections: 50 }, http: { http1MaxPendingRequests: 25, maxRetries: 2 } },
    outlierDetection: { consecutiveGatewayErrors: 3, consecutive5xxErrors: 3, interval: '15s', baseEjectionTime: '15s', maxEjectionPercent: 30 },
  },
  paymentBreaker: {
    connectionPool: { tcp: { maxConnections: 50, connectTimeout: '10s' }, http: { maxRequestsPerConnection: 1, maxRetries: 1 } },
    outlierDetection: { consecutiveGatewayErrors: 2, maxEjectionPercent: 25 },
  },
  timeoutsAndRetries: {
    'ai-coach-service': { timeout: '120s', attempts: 2 },
    'payment-service': { timeout: '30s', attempts: 1 },
    'nutrition-service': { timeout: '60s', attempts: 3 },
    'health-tracking-service': { timeout: '45s', attempts: 2 },
  },
  mtlsMode: 'STRICT',
  issuers: ['https://auth.ai-nutritionist.com', 'https://accounts.google.com', 'https://appleid.apple.com'],
  rateLimits: { global: { max_tokens: 1000, tokens_per_fill: 100, fill_interval: '60s' }, aiCoach: { max_tokens: 100, tokens_per_fill: 10, fill_interval: '60s' } },
  alerts: {
    HighErrorRate: { comparison: '> 0.05', for: '5m' },
    HighLatencyP99: { comparison: '> 5000', for: '5m' },
    LowRequestRate: { comparison: '< 0.1', for: '10m' },
    CanaryHighErrorRate: { comparison: '> 0.10', for: '2m' },
  },
  traceHeaders: ['x-request-id', 'x-user-id', 'x-deployment-version'],
  jaeger: { strategy: 'production', storage: 'elasticsearch', retentionDays: 7 },
  dashboards: ['Service Mesh Overview', 'Performance Monitoring', 'Security Metrics', 'Business KPIs'],
  slis: { availability: 0.999, p99Ms: 2000, errorRate: 0.001, throughputRps: 1000 },
};

type Match = { uri?: { prefix?: string }; headers?: Record<string, Record<string, string>> };
type Destination = { destination: { host: string; subset?: string }; weight?: number };
type HttpRoute = { name?: string; match?: Match[]; route: Destination[]; timeout?: string; retries?: { attempts: number }; fault?: unknown };
type VirtualServiceSpec = { hosts: string[]; gateways?: string[]; http: HttpRoute[] };

const all = loadManifests().map(({ object }) => object);
const virtualServices = all.filter((o) => o.kind === 'VirtualService');
const vsFor = (host: string) => {
  const found = virtualServices.find((vs) => (vs.spec as VirtualServiceSpec).hosts[0] === host);
  if (!found) throw new Error(`no VirtualService for ${host}`);
  return found.spec as VirtualServiceSpec;
};
const routeWithHeaders = (host: string, headers: Record<string, string>) =>
  vsFor(host).http.find((r) => Object.entries(headers).every(([k, v]) => r.match?.[0]?.headers?.[k]?.exact === v));
const weights = (route: HttpRoute | undefined) => Object.fromEntries((route?.route ?? []).map((d) => [d.destination.subset, d.weight ?? 100]));
const drSpec = (host: string) => findObject('DestinationRule', host).spec as {
  trafficPolicy: { loadBalancer: { simple?: string }; connectionPool: { tcp: Record<string, unknown>; http: Record<string, unknown> }; outlierDetection: Record<string, unknown> };
  subsets: { name: string; trafficPolicy?: { loadBalancer: { simple?: string; consistentHash?: { httpHeaderName: string } } } }[];
};
const seconds = (duration: unknown) => Number(String(duration).replace(/s$/, ''));

describe('platform document values in k8s/istio', () => {
  it('namespace with sidecar injection, the five services, and the TLS gateway', () => {
    const ns = findObject('Namespace', documentValues.namespace);
    expect(ns.metadata.labels?.['istio-injection']).toBe('enabled');
    for (const service of documentValues.services) expect(findObject('Service', service).metadata.namespace).toBe(documentValues.namespace);
    const gateway = findObject('Gateway', 'ai-nutritionist-gateway').spec as { servers: { hosts: string[]; tls?: { credentialName?: string; mode?: string } }[] };
    const https = gateway.servers.find((s) => s.tls?.mode === 'SIMPLE');
    expect(https?.hosts).toEqual([documentValues.gatewayHost]);
    expect(https?.tls?.credentialName).toBe(documentValues.tlsSecret);
  });

  it('every subset a route names has a Deployment with matching app/version labels', () => {
    for (const vs of virtualServices) {
      for (const route of (vs.spec as VirtualServiceSpec).http) {
        for (const { destination } of route.route) {
          const deployment = all.find((o) => o.kind === 'Deployment' && o.metadata.labels?.app === destination.host && o.metadata.labels?.version === destination.subset);
          expect(deployment, `${vs.metadata.name}: ${destination.host}/${destination.subset}`).toBeDefined();
        }
      }
    }
  });

  it('load balancing: ROUND_ROBIN, LEAST_CONN, consistent hash on x-user-id, RANDOM available', () => {
    for (const [host, simple] of Object.entries(documentValues.loadBalancer)) expect(drSpec(host).trafficPolicy.loadBalancer.simple, host).toBe(simple);
    const nutritionSubsets = drSpec('nutrition-service').subsets;
    expect(nutritionSubsets.some((s) => s.trafficPolicy?.loadBalancer.consistentHash?.httpHeaderName === documentValues.consistentHashHeader)).toBe(true);
    expect(all.some((o) => o.kind === 'DestinationRule' && JSON.stringify(o.spec).includes('"simple":"RANDOM"'))).toBe(true);
  });

  it('connection pools of nutrition, messaging and health tracking lie in the document ranges', () => {
    const r = documentValues.connectionPoolRanges;
    for (const host of ['nutrition-service', 'messaging-service', 'health-tracking-service']) {
      const { tcp, http } = drSpec(host).trafficPolicy.connectionPool;
      const inRange = (value: unknown, [lo, hi]: number[]) => typeof value === 'number' && value >= lo! && value <= hi!;
      expect(inRange(tcp.maxConnections, r.maxConnections), `${host} maxConnections`).toBe(true);
      expect(inRange(seconds(tcp.connectTimeout), r.connectTimeoutSeconds), `${host} connectTimeout`).toBe(true);
      expect(inRange(http.http1MaxPendingRequests, r.http1MaxPendingRequests), `${host} http1MaxPendingRequests`).toBe(true);
      expect(inRange(http.http2MaxRequests, r.http2MaxRequests), `${host} http2MaxRequests`).toBe(true);
      expect(inRange(http.maxRequestsPerConnection, r.maxRequestsPerConnection), `${host} maxRequestsPerConnection`).toBe(true);
      expect(inRange(http.maxRetries, r.maxRetries), `${host} maxRetries`).toBe(true);
    }
  });

  it('AI coach and payment circuit breakers exactly as given', () => {
    expect(drSpec('ai-coach-service').trafficPolicy).toMatchObject(documentValues.aiCoachBreaker);
    expect(drSpec('payment-service').trafficPolicy).toMatchObject(documentValues.paymentBreaker);
  });

  it('nutrition canary: beta users with canary enabled get 100% canary, everyone else 95/5', () => {
    const beta = routeWithHeaders('nutrition-service', documentValues.canary.headers);
    expect(weights(beta).canary).toBe(documentValues.canary.betaCanaryWeight);
    // The document's quick rollback patches http[0] route[0] and route[1]: that must be the beta route.
    expect(vsFor('nutrition-service').http[0]).toBe(beta);
    expect(beta?.route).toHaveLength(2);
    const fallback = vsFor('nutrition-service').http.at(-1);
    expect(fallback?.match?.[0]?.headers).toBeUndefined();
    expect(weights(fallback)).toEqual({ stable: documentValues.canary.stable, canary: documentValues.canary.canary });
  });

  it('AI coach A/B by x-ab-test 50/50, and premium feature testing', () => {
    const ab = routeWithHeaders('ai-coach-service', { [documentValues.abTest.header]: documentValues.abTest.value });
    expect(Object.values(weights(ab))).toEqual(documentValues.abTest.weights);
    expect(routeWithHeaders('ai-coach-service', { 'x-user-tier': 'premium' })).toBeDefined();
  });

  it('payment blue-green: green only for x-deployment-target green with x-testing-mode enabled', () => {
    const green = routeWithHeaders('payment-service', documentValues.blueGreen);
    expect(weights(green)).toEqual({ green: 100 });
    expect(weights(vsFor('payment-service').http.at(-1))).toEqual({ blue: 100, green: 0 });
  });

  it('feature flags, load-test isolation and the circuit-breaker test route', () => {
    for (const [header, value] of Object.entries(documentValues.featureFlags)) {
      expect(virtualServices.some((vs) => (vs.spec as VirtualServiceSpec).http.some((r) => r.match?.[0]?.headers?.[header]?.exact === value)), header).toBe(true);
    }
    const loadTest = vsFor('nutrition-service').http.find((r) => documentValues.loadTest.every((h) => r.match?.[0]?.headers?.[h]));
    expect(weights(loadTest)).toEqual({ 'load-test': 100 });
    expect(routeWithHeaders('ai-coach-service', documentValues.circuitBreakerTestHeader)).toBeDefined();
  });

  it('geo routing with the document regex for the EU and exact US', () => {
    const geo = vsFor('health-tracking-service').http;
    expect(geo[0]?.match?.[0]?.headers?.['cloudfront-viewer-country']).toEqual({ regex: documentValues.euCountries });
    expect(weights(geo[0])).toEqual({ 'eu-gdpr': 100 });
    expect(geo[1]?.match?.[0]?.headers?.['cloudfront-viewer-country']).toEqual({ exact: documentValues.usCountry });
    expect(weights(geo[1])).toEqual({ us: 100 });
  });

  it('timeouts and retries on every route of each service', () => {
    for (const [host, { timeout, attempts }] of Object.entries(documentValues.timeoutsAndRetries)) {
      for (const route of vsFor(host).http) {
        expect(route.timeout, `${host} ${route.name}`).toBe(timeout);
        expect(route.retries?.attempts, `${host} ${route.name}`).toBe(attempts);
      }
    }
  });

  it('strict mTLS, three JWT issuers, and the documented authorization rules', () => {
    expect((findObject('PeerAuthentication', 'default').spec as { mtls: { mode: string } }).mtls.mode).toBe(documentValues.mtlsMode);
    const rules = (findObject('RequestAuthentication', 'jwt-auth').spec as { jwtRules: { issuer: string }[] }).jwtRules;
    expect(rules.map((r) => r.issuer)).toEqual(documentValues.issuers);
    expect(JSON.stringify(findObject('AuthorizationPolicy', 'ai-coach-service-authz').spec)).toContain('"values":["premium"]');
    expect(JSON.stringify(findObject('AuthorizationPolicy', 'payment-service-authz').spec)).toContain('"key":"request.headers[x-user-verified]","values":["true"]');
    expect(JSON.stringify(findObject('AuthorizationPolicy', 'messaging-service-authz').spec)).toContain('/api/v1/messaging/webhooks/*');
    expect(JSON.stringify(findObject('AuthorizationPolicy', 'nutrition-service-authz').spec)).toContain('"namespaces":["ai-nutritionist"]');
  });

  it('token-bucket rate limits: 1000/100 per minute globally, 100/10 per minute for the AI coach', () => {
    const bucket = (name: string) => JSON.parse(JSON.stringify(findObject('EnvoyFilter', name).spec).match(/"token_bucket":(\{[^}]*\})/)![1]!);
    expect(bucket('global-rate-limit')).toEqual(documentValues.rateLimits.global);
    expect(bucket('ai-coach-rate-limit')).toEqual(documentValues.rateLimits.aiCoach);
    expect((findObject('EnvoyFilter', 'ai-coach-rate-limit').spec as { workloadSelector: { labels: { app: string } } }).workloadSelector.labels.app).toBe('ai-coach-service');
  });

  it('the four critical alerts with their thresholds and durations, and SLI recording rules', () => {
    const groups = (findObject('PrometheusRule', 'ai-nutritionist-alerts').spec as { groups: { rules: { alert?: string; record?: string; expr: string; for?: string }[] }[] }).groups;
    const rules = groups.flatMap((g) => g.rules);
    for (const [alert, { comparison, for: duration }] of Object.entries(documentValues.alerts)) {
      const rule = rules.find((r) => r.alert === alert);
      expect(rule?.expr.trim().endsWith(comparison), alert).toBe(true);
      expect(rule?.for, alert).toBe(duration);
    }
    expect(rules.find((r) => r.alert === 'CanaryHighErrorRate')?.expr).toContain('destination_version="canary"');
    expect(rules.filter((r) => r.record).map((r) => r.record)).toEqual(
      expect.arrayContaining(['ai_nutritionist:sli_availability:ratio_rate5m', 'ai_nutritionist:sli_latency_p99_ms:5m', 'ai_nutritionist:sli_error_rate:ratio_rate5m', 'ai_nutritionist:sli_throughput_rps:rate5m']),
    );
    const target = (name: string) => Number(rules.find((r) => r.record === `ai_nutritionist:slo_target:${name}`)?.expr.match(/vector\(([\d.]+)\)/)?.[1]);
    expect(target('availability')).toBe(documentValues.slis.availability);
    expect(target('latency_p99_ms')).toBe(documentValues.slis.p99Ms);
    expect(target('error_rate')).toBe(documentValues.slis.errorRate);
    expect(target('throughput_rps')).toBe(documentValues.slis.throughputRps);
  });

  it('tracing tags, Jaeger production with Elasticsearch and 7-day retention, four dashboards', () => {
    const tags = (findObject('Telemetry', 'mesh-observability').spec as { tracing: { customTags: Record<string, unknown> }[] }).tracing[0]!.customTags;
    expect(Object.keys(tags)).toEqual(documentValues.traceHeaders);
    const jaeger = findObject('Jaeger', 'jaeger').spec as { strategy: string; storage: { type: string; esIndexCleaner: { numberOfDays: number } } };
    expect([jaeger.strategy, jaeger.storage.type, jaeger.storage.esIndexCleaner.numberOfDays]).toEqual([documentValues.jaeger.strategy, documentValues.jaeger.storage, documentValues.jaeger.retentionDays]);
    const titles = all.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1').map((o) => JSON.parse(Object.values(o.data!)[0]!).title);
    expect(titles).toEqual(documentValues.dashboards.map((t) => `AI Nutritionist / ${t}`));
  });
});
