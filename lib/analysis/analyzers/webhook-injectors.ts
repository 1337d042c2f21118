// Istio's sidecar injector webhooks must not overlap, and must call a Service that exists
// (Istio's webhook.Analyzer: IST0139). Every namespace and pod label combination that decides
// injection (none, istio-injection / sidecar.istio.io/inject on or off, each with every revision
// seen) must match at most one injector; otherwise a pod is injected twice.
import { K } from '../kinds';
import { selectorMatches, type Labels } from '@/lib/mesh/selectors';
import type { AnalysisObject, Analyzer } from '../types';
import { webhooksOf, type Webhook } from './webhook-spec';

const REVISION_LABEL = 'istio.io/rev';

/** The revisions an injector configuration serves: its own label and its selectors' istio.io/rev. */
function revisionsOf(configuration: AnalysisObject): string[] {
  const revisions = new Set<string>();
  const own = configuration.metadata.labels?.[REVISION_LABEL];
  if (own !== undefined) revisions.add(own);
  for (const hook of webhooksOf(configuration)) {
    for (const selector of [hook.namespaceSelector, hook.objectSelector]) {
      const matched = selector?.matchLabels?.[REVISION_LABEL];
      if (matched !== undefined) revisions.add(matched);
      for (const expression of selector?.matchExpressions ?? [])
        if (expression.key === REVISION_LABEL) for (const v of expression.values ?? []) revisions.add(v);
    }
  }
  return [...revisions];
}

const isIstioInjector = (configuration: AnalysisObject) =>
  revisionsOf(configuration).length > 0 || webhooksOf(configuration).some((hook) => (hook.name ?? '').endsWith('istio.io'));

/** The label sets Istio tries: the three base ones, then each with every revision. */
function permutations(key: string, on: string, off: string, revisions: string[]): Labels[] {
  const base: Labels[] = [{}, { [key]: on }, { [key]: off }];
  return [...base, ...revisions.flatMap((revision) => base.map((labels) => ({ ...labels, [REVISION_LABEL]: revision })))];
}

// A missing selector matches everything (the webhook API's default).
const hookMatches = (hook: Webhook, namespaceLabels: Labels, objectLabels: Labels) =>
  selectorMatches(hook.namespaceSelector, namespaceLabels) && selectorMatches(hook.objectSelector, objectLabels);

export const webhookInjectors: Analyzer = {
  id: 'webhook.analyzer',
  description: 'Checks the validity of Istio webhooks',
  kinds: [K.MutatingWebhookConfiguration],
  codes: ['IST0139'],
  check(configuration, context) {
    if (!isIstioInjector(configuration)) return;
    const injectors = context.list(K.MutatingWebhookConfiguration).filter(isIstioInjector);
    const revisions = [...new Set(injectors.flatMap(revisionsOf))].sort();
    const hooks = injectors.flatMap((injector) => webhooksOf(injector).map((hook) => ({ injector, hook, id: `${injector.metadata.name}/${hook.name ?? ''}` })));
    const overlaps = new Map<number, Set<string>>();
    for (const namespaceLabels of permutations('istio-injection', 'enabled', 'disabled', revisions)) {
      for (const objectLabels of permutations('sidecar.istio.io/inject', 'true', 'false', revisions)) {
        const matching = hooks.filter(({ hook }) => hookMatches(hook, namespaceLabels, objectLabels));
        if (matching.length < 2) continue;
        webhooksOf(configuration).forEach((hook, index) => {
          const self = `${configuration.metadata.name}/${hook.name ?? ''}`;
          if (!matching.some((m) => m.id === self)) return;
          const others = matching.filter((m) => m.id !== self).map((m) => m.id);
          let seen = overlaps.get(index);
          if (!seen) overlaps.set(index, (seen = new Set()));
          seen.add(`[${[...new Set(others)].sort().join(' ')}]`);
        });
      }
    }
    for (const [index, lists] of [...overlaps].sort(([a], [b]) => a - b)) {
      for (const others of [...lists].sort()) {
        context.report('IST0139', `Webhook overlaps with others: ${others}. This may cause injection to occur twice.`, { path: `webhooks[${index}]` });
      }
    }
    if (!context.available(K.Service)) return;
    webhooksOf(configuration).forEach((hook, index) => {
      const service = hook.clientConfig?.service;
      if (!service) return; // a URL: the external control plane analyzer looks at it
      if (context.get(K.Service, service.namespace, service.name ?? '')) return;
      context.report('IST0139', `Injector refers to a control plane service that does not exist: ${service.namespace ?? ''}/${service.name ?? ''}.`, {
        path: `webhooks[${index}].clientConfig.service`,
      });
    });
  },
};
