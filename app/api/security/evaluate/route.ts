import { evaluateBody } from '@/lib/api/security-schemas';
import { route } from '@/lib/http/route';
import { cacheFor } from '@/lib/k8s/caches';
import { authorizationPolicies } from '@/lib/k8s/resources';
import { rootNamespace } from '@/lib/k8s/security';
import { evaluate, policiesFor } from '@/lib/mesh/authz';
import type { AuthorizationPolicy } from '@/lib/mesh/security-types';

export const dynamic = 'force-dynamic';

/** "Can this caller do this?": evaluates the workload's AuthorizationPolicies for a request (a read: nothing changes). */
export const POST = route({ auth: 'read', body: evaluateBody }, async ({ body: input }) => {
  const cache = await cacheFor<AuthorizationPolicy>(authorizationPolicies);
  const policies = policiesFor(cache.list(), input.namespace, { app: input.app }, rootNamespace());
  const decision = evaluate(policies, {
    principal: input.principal || undefined,
    namespace: input.sourceNamespace || undefined,
    requestPrincipal: input.requestPrincipal || undefined,
    claims: input.claims,
    headers: Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v])),
    method: input.method,
    path: input.path,
  });
  return { decision, policies: policies.map((p) => `${p.metadata.namespace}/${p.metadata.name}`) };
});
