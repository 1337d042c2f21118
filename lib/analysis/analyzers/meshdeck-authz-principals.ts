// MDK0007: an AuthorizationPolicy naming a principal whose namespace or ServiceAccount does
// not exist, so the rule can never match the caller it was written for (an ALLOW that lets
// nobody in, a DENY that keeps nobody out). A principal is `<trust-domain>/ns/<ns>/sa/<sa>`.
//
// Split with Istio: a namespace named in `source.namespaces` / `notNamespaces` is Istio's own
// IST0101 (authz.authorizationpolicies), so this rule reads only `principals` and
// `notPrincipals`. Left alone: any pattern with `*` (Istio's prefix/suffix wildcards), strings
// that are not of that form, and trust domains other than the mesh's own and its
// trustDomainAliases (a federated peer's identities are not in this cluster). Nothing is called
// missing when Namespaces or ServiceAccounts were not loaded.
import { K } from '../kinds';
import { meshConfig } from '../mesh-config';
import type { Analyzer } from '../types';

interface AuthorizationPolicySpec {
  rules?: { from?: { source?: { principals?: string[]; notPrincipals?: string[] } }[] }[];
}

const PRINCIPAL = /^(.+)\/ns\/([^/]+)\/sa\/([^/]+)$/;

export const meshdeckAuthzPrincipals: Analyzer = {
  id: 'meshdeck.authzprincipals',
  description: 'The namespace and ServiceAccount of every principal an AuthorizationPolicy names exist',
  kinds: [K.AuthorizationPolicy],
  codes: ['MDK0007'],
  check(policy, context) {
    const rules = (policy.spec as AuthorizationPolicySpec | undefined)?.rules ?? [];
    const named = rules.flatMap((rule, i) =>
      (rule.from ?? []).flatMap((from, j) =>
        (['principals', 'notPrincipals'] as const).flatMap((field) =>
          (from.source?.[field] ?? []).map((principal, k) => ({ principal, path: `spec.rules[${i}].from[${j}].source.${field}[${k}]` })),
        ),
      ),
    );
    const parsed = named.filter(({ principal }) => !principal.includes('*')).map((entry) => ({ ...entry, parts: PRINCIPAL.exec(entry.principal) }));
    if (!parsed.some(({ parts }) => parts)) return;
    const mesh = meshConfig(context);
    const aliases = Array.isArray(mesh.raw.trustDomainAliases) ? (mesh.raw.trustDomainAliases as unknown[]) : [];
    const ours = (trustDomain: string) => trustDomain === mesh.trustDomain || aliases.includes(trustDomain);
    for (const { principal, path, parts } of parsed) {
      if (!parts || !ours(parts[1]!)) continue;
      const [, , namespace, account] = parts as unknown as [string, string, string, string];
      // No caller carries the identity: a principals entry never matches, a notPrincipals entry excludes nobody.
      const effect = path.includes('.notPrincipals[') ? 'excluding it excludes nobody' : 'no caller matches it';
      if (context.available(K.Namespace) && !context.get(K.Namespace, undefined, namespace)) {
        context.report('MDK0007', `Principal "${principal}" names namespace "${namespace}", which does not exist: ${effect}`, { path });
      } else if (context.available(K.ServiceAccount) && !context.get(K.ServiceAccount, namespace, account)) {
        context.report('MDK0007', `Principal "${principal}" names ServiceAccount ${namespace}/${account}, which does not exist: ${effect}`, { path });
      }
    }
  },
};
