// Pods of a Kubernetes Gateway (labelled gateway.networking.k8s.io/gateway-name) ignore
// workloadSelector-based policies: such a policy must use targetRefs (Istio's
// k8sgateway.SelectorAnalyzer, IST0166).
import { K } from '../kinds';
import type { Analyzer } from '../types';

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

interface PolicySpec {
  selector?: { matchLabels?: Record<string, string> };
  targetRef?: unknown;
  targetRefs?: unknown[];
}

export const k8sGatewaySelector: Analyzer = {
  id: 'k8sgateway.selector',
  description: 'Policies do not select Kubernetes Gateway pods by labels (they need targetRefs)',
  kinds: [K.AuthorizationPolicy, K.RequestAuthentication, K.Telemetry, K.WasmPlugin],
  codes: ['IST0166'],
  check(policy, context) {
    const spec = (policy.spec ?? {}) as PolicySpec;
    if (spec.targetRef || spec.targetRefs?.length || !spec.selector) return;
    const matchLabels = Object.entries(spec.selector.matchLabels ?? {});
    const gateways = new Set<string>();
    for (const pod of context.list(K.Pod, policy.metadata.namespace ?? '')) {
      const labels = pod.metadata.labels ?? {};
      const gateway = labels[GATEWAY_NAME_LABEL];
      if (gateway !== undefined && matchLabels.every(([key, value]) => labels[key] === value)) gateways.add(gateway);
    }
    for (const gateway of gateways) {
      context.report('IST0166', `Ineffective selector on Kubernetes Gateway ${gateway}. Use the TargetRef field instead.`, { path: 'spec.selector' });
    }
  },
};
