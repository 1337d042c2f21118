import { evaluateBody } from '@/lib/api/security-schemas';
import { visibleAnswer } from '@/lib/auth/cluster-access';
import { route } from '@/lib/http/route';
import { evaluateRequest } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

/** "Can this caller do this?": evaluates the workload's JWT check and AuthorizationPolicies for a request (a read: nothing changes). */
export const POST = route({ auth: 'read', body: evaluateBody }, ({ user, body: input }) =>
  visibleAnswer(user!, input.namespace, () =>
    evaluateRequest(input.namespace, input.app, {
      principal: input.principal || undefined,
      namespace: input.sourceNamespace || undefined,
      ip: input.sourceIp || undefined,
      requestPrincipal: input.requestPrincipal || undefined,
      audiences: input.audiences,
      claims: input.claims,
      headers: Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v])),
      method: input.method,
      path: input.path,
      host: input.host || undefined,
      port: input.port,
    }),
  ),
);
