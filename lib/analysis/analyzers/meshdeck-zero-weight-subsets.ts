// MDK0003: a 0-weight destination whose subset no running pod belongs to. It receives nothing
// today, so nothing fails; moving weight to it (the next step of a canary) would send requests
// to a subset without endpoints (503 "no healthy upstream"). The pods of a subset are the
// running pods the host's Service selects that also carry the subset's labels.
import { K } from '../kinds';
import { DESTINATION_RULES_BY_HOST, destinationRulesForHost, fqdn } from '../lookups';
import type { Analyzer } from '../types';
import { ENDPOINT_INDEXES, endpointsForHost, ruleSpec, splitRoutes } from './meshdeck-workloads';
import type { VirtualServiceSpec } from './virtualservice-routes';

export const meshdeckZeroWeightSubsets: Analyzer = {
  id: 'meshdeck.zeroweightsubsets',
  description: 'A 0-weight destination names a subset that has running pods',
  kinds: [K.VirtualService],
  codes: ['MDK0003'],
  indexes: [DESTINATION_RULES_BY_HOST, ...ENDPOINT_INDEXES],
  check(vs, context) {
    for (const { path, targets, weights } of splitRoutes(vs.spec as VirtualServiceSpec | undefined)) {
      targets.forEach((target, d) => {
        const { host, subset } = target.destination ?? {};
        if (weights[d] !== 0 || !host || !subset) return;
        const fqdnHost = fqdn(host, vs.metadata.namespace);
        // An undefined subset is IST0101's finding; only a defined one can lack pods.
        const defined = destinationRulesForHost(context, fqdnHost)
          .flatMap((rule) => ruleSpec(rule).subsets ?? [])
          .filter((s) => s.name === subset);
        if (defined.length === 0) return;
        if (
          defined.some((s) => {
            const pods = endpointsForHost(context, fqdnHost, s.labels ?? {});
            return pods === undefined || pods.length > 0;
          })
        )
          return;
        const labels = Object.entries(defined[0]!.labels ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(', ');
        context.report(
          'MDK0003',
          `Destination ${host}/${subset} has weight 0 and no running pod (subset labels ${labels || 'none'}): moving weight to it would fail with 503`,
          { path: `${path}.route[${d}].destination.subset` },
        );
      });
    }
  },
};
