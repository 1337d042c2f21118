// The Resilience page: every DestinationRule's traffic policy per host and subset, each
// route's timeout and retries, and the writes that change them (with preconditions).
import { fromForm, policyPatch, routeResiliencePatch, toForm, validateRoute, type FormValues, type RouteResilience } from '@/lib/mesh/resilience';
import { labelsMatch } from '@/lib/mesh/selectors';
import type { DestinationRule, VirtualService } from '@/lib/mesh/types';
import { cacheFor } from './caches';
import { ApiError } from './errors';
import { destinationRules, pods, services, virtualServices } from './resources';
import { jsonPatch, objectAtVersion, type WriteOptions } from './writes';

// Only labels are read (endpoints per subset), so the cache keeps Pods' metadata alone.
type Pod = { metadata: { namespace: string; labels?: Record<string, string> } };
type Service = { metadata: { name: string; namespace: string }; spec?: { selector?: Record<string, string> } };


/**
 * Counts a service's endpoints (the pods its selector picks) now, or only those that also carry
 * a subset's labels. One copy of a namespace's pods per counter: make one per answer.
 */
export async function endpointCounter(): Promise<(namespace: string, service: string, subsetLabels?: Record<string, string>) => number> {
  const [svc, podCache] = await Promise.all([cacheFor<Service>(services), cacheFor<Pod>(pods, { metadataOnly: true })]);
  const podsIn = new Map<string, Pod[]>();
  const podsOf = (ns: string) => podsIn.get(ns) ?? podsIn.set(ns, podCache.list(ns)).get(ns)!;
  return (ns, name, labels) => {
    const selector = svc.get(ns, name)?.spec?.selector;
    return selector ? podsOf(ns).filter((p) => labelsMatch(selector, p.metadata.labels) && labelsMatch(labels, p.metadata.labels)).length : 0;
  };
}

/**
 * The Resilience page's answer, its items made one by one as they are read (streamJson writes
 * them as it sends them, so 10,000 DestinationRules' views never exist all at once).
 */
export async function resilienceView(namespace?: string) {
  const [dr, vs, count] = await Promise.all([cacheFor<DestinationRule>(destinationRules), cacheFor<VirtualService>(virtualServices), endpointCounter()]);
  const ruleView = (rule: DestinationRule) => {
    const [name, ns] = [rule.spec.host.split('.')[0]!, rule.spec.host.split('.')[1] ?? rule.metadata.namespace];
    const endpoints = (labels?: Record<string, string>) => count(ns, name, labels);
    const all = endpoints();
    const top = (rule.spec.trafficPolicy ?? {}) as Record<string, unknown>;
    return {
      namespace: rule.metadata.namespace,
      name: rule.metadata.name,
      host: rule.spec.host,
      resourceVersion: rule.metadata.resourceVersion,
      portLevelSettings: (top.portLevelSettings as unknown[] | undefined) ?? [],
      targets: [
        // The policy as stored: the page derives its form and consequences (lib/mesh, pure), so
        // thousands of DestinationRules are not sent three times over.
        { subset: undefined as string | undefined, label: 'All subsets', inherits: false, endpoints: all, policy: top },
        ...(rule.spec.subsets ?? []).map((s) => {
          const own = (s.trafficPolicy ?? undefined) as Record<string, unknown> | undefined;
          return { subset: s.name, label: `Subset ${s.name}`, inherits: !own, endpoints: endpoints(s.labels), policy: own ?? {} };
        }),
      ],
    };
  };
  const routeViews = (v: VirtualService) =>
    (v.spec.http ?? []).map((route, index) => ({
      namespace: v.metadata.namespace,
      virtualService: v.metadata.name,
      resourceVersion: v.metadata.resourceVersion,
      index,
      name: route.name ?? `route ${index + 1}`,
      hosts: [...new Set((route.route ?? []).map((d) => d.destination.host.split('.')[0]!))],
      timeout: route.timeout ?? '',
      attempts: route.retries?.attempts === undefined ? '' : String(route.retries.attempts),
      perTryTimeout: route.retries?.perTryTimeout ?? '',
      retryOn: route.retries?.retryOn ?? '',
    }));
  // This moment's objects: the cache replaces, never mutates, them.
  const [ruleObjects, vsObjects] = [dr.list(namespace), vs.list(namespace)];
  return {
    rules: (function* () { for (const rule of ruleObjects) yield ruleView(rule); })(),
    routes: (function* () { for (const v of vsObjects) yield* routeViews(v); })(),
  };
}

type Items<T> = T extends Iterable<infer I> ? I[] : never;
type Answer = Awaited<ReturnType<typeof resilienceView>>;

/** The Resilience page's answer as the page reads it: the JSON of resilienceView, arrays made. */
export type ResilienceView = { [K in keyof Answer]: Items<Answer[K]> };

class FieldErrors extends ApiError {
  constructor(errors: Record<string, string>) {
    super(400, Object.values(errors).join('; '), 'BadRequest', { fields: errors });
  }
}

export async function setPolicy(namespace: string, name: string, input: { resourceVersion: string; subset?: string; values: FormValues }, options: WriteOptions) {
  const rule = await objectAtVersion<DestinationRule>(destinationRules, namespace, name, input.resourceVersion);
  if (!rule) throw new ApiError(404, `DestinationRule ${namespace}/${name} does not exist`, 'NotFound');
  const subset = input.subset ? rule.spec.subsets?.find((s) => s.name === input.subset) : undefined;
  if (input.subset && !subset) throw new ApiError(400, `DestinationRule ${namespace}/${name} has no subset ${input.subset}`, 'BadRequest');
  const current = ((input.subset ? subset!.trafficPolicy : rule.spec.trafficPolicy) ?? {}) as Record<string, unknown>;
  const { policy, errors } = fromForm(input.values, current);
  if (Object.keys(errors).length) throw new FieldErrors(errors);
  const patch = policyPatch(rule, { subset: input.subset }, policy);
  const updated = await jsonPatch<DestinationRule>(destinationRules, namespace, name, patch, options);
  const changed = Object.keys(input.values).filter((k) => (toForm(current)[k] ?? '') !== (input.values[k] ?? '').trim());
  return {
    item: { resourceVersion: updated.metadata.resourceVersion },
    patch,
    revert: policyPatch(updated, { subset: input.subset }, current),
    summary: `${input.subset ? `subset ${input.subset}` : 'traffic policy'}: ${changed.map((k) => `${k.split('.').at(-1)} ${toForm(current)[k] || 'unset'} → ${input.values[k] || 'unset'}`).join(', ') || 'no field changed'}`,
    resourceVersion: updated.metadata.resourceVersion,
  };
}

export async function setRouteResilience(namespace: string, name: string, index: number, input: { resourceVersion: string; timeout: string; attempts: string; perTryTimeout: string; retryOn: string }, options: WriteOptions) {
  const errors = validateRoute(input);
  if (Object.keys(errors).length) throw new FieldErrors(errors);
  const vs = await objectAtVersion<VirtualService>(virtualServices, namespace, name, input.resourceVersion);
  const route = vs?.spec.http?.[index];
  if (!vs || !route) throw new ApiError(404, `VirtualService ${namespace}/${name} has no route ${index}`, 'NotFound');
  const change: RouteResilience = {
    timeout: input.timeout.trim() || undefined,
    retries: input.attempts.trim() === '' ? undefined : { attempts: Number(input.attempts), ...(input.perTryTimeout.trim() ? { perTryTimeout: input.perTryTimeout.trim() } : {}), ...(input.retryOn.trim() ? { retryOn: input.retryOn.trim() } : {}) },
  };
  const patch = routeResiliencePatch(vs, index, change);
  const updated = await jsonPatch<VirtualService>(virtualServices, namespace, name, patch, options);
  const previous: RouteResilience = { timeout: route.timeout, retries: route.retries ? { attempts: route.retries.attempts ?? 2, perTryTimeout: route.retries.perTryTimeout, retryOn: route.retries.retryOn } : undefined };
  return {
    item: { resourceVersion: updated.metadata.resourceVersion },
    patch,
    revert: routeResiliencePatch(updated, index, previous),
    summary: `${route.name ?? `route ${index}`}: timeout ${route.timeout ?? 'none'} → ${change.timeout ?? 'none'}, retries ${route.retries?.attempts ?? 'default'} → ${change.retries?.attempts ?? 'default'}`,
    resourceVersion: updated.metadata.resourceVersion,
  };
}
