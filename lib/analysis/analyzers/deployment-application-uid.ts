// Application containers must not run as UID 1337, the proxy's (Istio's
// deployment.ApplicationUIDAnalyzer, IST0144): the pod's securityContext and each container's
// but the proxy's and the operator's, on Pods and on Deployments' pod templates. Istio's own
// control plane (label `istio`, or `release=istio`) is left out.
import { K } from '../kinds';
import type { Analyzer } from '../types';
import { PROXY_CONTAINER, type DeploymentSpec, type PodSpec } from './injection-shared';

const PROXY_UID = 1337;
const EXEMPT_CONTAINERS = new Set([PROXY_CONTAINER, 'istio-operator']);

export const deploymentApplicationUid: Analyzer = {
  id: 'deployment.applicationuid',
  description: 'Application containers of Pods and Deployments do not run as UID 1337, reserved for the proxy',
  kinds: [K.Pod, K.Deployment],
  codes: ['IST0144'],
  check(object, context) {
    const labels = object.metadata.labels ?? {};
    if (Object.hasOwn(labels, 'istio') || labels.release === 'istio') return;
    const isPod = object.kind === 'Pod';
    const spec = isPod ? (object.spec as PodSpec | undefined) : (object.spec as DeploymentSpec | undefined)?.template?.spec;
    const prefix = isPod ? 'spec' : 'spec.template.spec';
    const message = 'User ID (UID) 1337 is reserved for the sidecar proxy.';
    if (spec?.securityContext?.runAsUser === PROXY_UID) context.report('IST0144', message, { path: `${prefix}.securityContext.runAsUser` });
    (spec?.containers ?? []).forEach((container, index) => {
      if (container.name && EXEMPT_CONTAINERS.has(container.name)) return;
      if (container.securityContext?.runAsUser === PROXY_UID) {
        context.report('IST0144', message, { path: `${prefix}.containers[${index}].securityContext.runAsUser` });
      }
    });
  },
};
