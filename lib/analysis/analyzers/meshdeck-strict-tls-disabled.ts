// MDK0005: a DestinationRule that sends plaintext (`tls.mode: DISABLE`, at the rule, port or
// subset level) to workloads whose PeerAuthentication requires mTLS (STRICT, mesh-wide from the
// root namespace, namespace-wide, or on the workload or one of its ports): those servers refuse
// the connection. Reported on the DestinationRule, at the mode to change.
//
// Which workloads: the running pods behind the host's Service (narrowed to the subset's labels
// for a subset setting). Which ports: a port-level setting applies to that Service port; a rule
// or subset setting to every Service port without a port-level TLS setting of its own. A Service
// port is resolved to the pod port a PeerAuthentication's portLevelMtls names (targetPort, by
// number or by container port name). Their mode is resolved as istiod does (lib/mesh/mtls
// workloadMode: workload port, workload, namespace, mesh-wide; UNSET inherits).
import { K } from '../kinds';
import { meshConfig } from '../mesh-config';
import type { AnalysisObject, Analyzer } from '../types';
import {
  ENDPOINT_INDEXES,
  endpointPods,
  kubernetesServices,
  ruleHost,
  ruleSpec,
  type ServiceSpec,
  type Subset,
  type TrafficPolicy,
} from './meshdeck-workloads';
import { workloadMode } from '@/lib/mesh/mtls';
import type { PeerAuthentication } from '@/lib/mesh/security-types';

interface PodSpec {
  containers?: { ports?: { name?: string; containerPort?: number }[] }[];
}

/** The pod port a Service port sends to: its targetPort by number, or by the container port's name; the port itself when unset. */
function podPort(servicePort: NonNullable<ServiceSpec['ports']>[number], pod: AnalysisObject): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target ?? '')) return Number(target);
  return (pod.spec as PodSpec | undefined)?.containers?.flatMap((c) => c.ports ?? []).find((p) => p.name === target)?.containerPort;
}

interface Disabled {
  path: string;
  subset?: Subset;
  /** The Service port a port-level setting names; undefined for every port not set at port level. */
  port?: number;
  /** Ports whose own port-level TLS setting overrides this one. */
  overridden: Set<number>;
}

/** Every place in a DestinationRule that sets `tls.mode: DISABLE`. */
function disabledSettings(policy: TrafficPolicy | undefined, base: string, subset?: Subset): Disabled[] {
  const levels = policy?.portLevelSettings ?? [];
  const overridden = new Set(levels.filter((l) => l.tls?.mode && l.port?.number !== undefined).map((l) => l.port!.number!));
  const found: Disabled[] = policy?.tls?.mode === 'DISABLE' ? [{ path: `${base}.tls.mode`, subset, overridden }] : [];
  levels.forEach((level, i) => {
    if (level.tls?.mode === 'DISABLE' && level.port?.number !== undefined)
      found.push({ path: `${base}.portLevelSettings[${i}].tls.mode`, subset, port: level.port.number, overridden: new Set() });
  });
  return found;
}

export const meshdeckStrictTlsDisabled: Analyzer = {
  id: 'meshdeck.stricttlsdisabled',
  description: 'A DestinationRule does not disable TLS toward workloads that require mTLS',
  kinds: [K.DestinationRule],
  codes: ['MDK0005'],
  indexes: ENDPOINT_INDEXES,
  check(rule, context) {
    const spec = ruleSpec(rule);
    const settings = [
      ...disabledSettings(spec.trafficPolicy, 'spec.trafficPolicy'),
      ...(spec.subsets ?? []).flatMap((subset, s) => disabledSettings(subset.trafficPolicy, `spec.subsets[${s}].trafficPolicy`, subset)),
    ];
    const host = ruleHost(rule);
    if (settings.length === 0 || !host || host.startsWith('*') || !context.available(K.PeerAuthentication)) return;
    const services = kubernetesServices(context, host);
    if (services.length === 0) return;
    const root = meshConfig(context).rootNamespace;
    const policiesOf = (namespace: string) =>
      [...new Set([...context.list(K.PeerAuthentication, namespace), ...context.list(K.PeerAuthentication, root)])] as unknown as PeerAuthentication[];
    for (const setting of settings) {
      const conflict = services
        .flatMap((service) => {
          const ports = ((service.spec as ServiceSpec | undefined)?.ports ?? []).filter((p) =>
            setting.port === undefined ? !setting.overridden.has(p.port!) : p.port === setting.port,
          );
          return (endpointPods(context, service, setting.subset?.labels ?? {}) ?? []).flatMap((pod) => {
            const namespace = pod.metadata.namespace!;
            const numbers = [...new Set(ports.map((p) => podPort(p, pod)).filter((p): p is number => p !== undefined))];
            const resolved = workloadMode(policiesOf(namespace), root, {
              namespace,
              name: pod.metadata.name,
              labels: pod.metadata.labels ?? {},
              ports: numbers,
            });
            return resolved.ports.filter((p) => p.mode.mode === 'STRICT').map((p) => ({ pod, port: p.port, source: p.mode.source }));
          });
        })
        .sort((a, b) => a.pod.metadata.name.localeCompare(b.pod.metadata.name) || a.port - b.port);
      const first = conflict[0];
      if (!first) continue;
      const pods = new Set(conflict.map((c) => c.pod.metadata.name)).size;
      const target = `${spec.host}${setting.port === undefined ? '' : ` port ${setting.port}`}${setting.subset ? ` subset ${setting.subset.name}` : ''}`;
      context.report(
        'MDK0005',
        `tls.mode DISABLE sends plaintext to ${target}, but ${first.source} requires mTLS (STRICT) on pod ${first.pod.metadata.namespace}/${first.pod.metadata.name} port ${first.port}${pods > 1 ? ` and ${pods - 1} more pod${pods > 2 ? 's' : ''}` : ''}: requests fail`,
        { path: setting.path },
      );
    }
  },
};
