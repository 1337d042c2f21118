// What a real cluster does around writes that Meshdeck and kubectl can observe: an Event
// for every write, cluster IPs for Services, Pods and status for Deployments.
import { createHash, randomBytes } from 'node:crypto';
import type { RequestContext, WriteHooks } from './handlers.ts';
import type { ResourceRegistry } from './resources.ts';
import { sidecarInjector } from './sidecar-injector.ts';
import type { KubeObject, Store } from './store.ts';

const MAX_EVENTS = 5000;
const timestamp = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

const reasons = { create: 'Created', update: 'Updated', patch: 'Patched', apply: 'Applied', delete: 'Deleted' } as const;

export function clusterBehaviour(store: Store, registry: ResourceRegistry, options: { events?: boolean } = {}): WriteHooks {
  const eventType = registry.byPath('', 'v1', 'events')!;
  const podType = registry.byPath('', 'v1', 'pods')!;
  const deploymentType = registry.byPath('apps', 'v1', 'deployments')!;
  const injectSidecar = sidecarInjector(store, registry);
  const recent: { namespace: string; name: string }[] = [];
  let nextServiceIp = 10;
  let nextPodIp = 10;

  function recordEvent(ctx: RequestContext, verb: keyof typeof reasons, object: KubeObject, detail?: string) {
    const namespace = object.metadata.namespace ?? 'default';
    const name = `${object.metadata.name}.${randomBytes(8).toString('hex')}`;
    const now = timestamp();
    const how = detail ? ` (${detail})` : '';
    store.put(eventType, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace, uid: crypto.randomUUID(), creationTimestamp: now },
      involvedObject: {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        uid: object.metadata.uid,
        resourceVersion: object.metadata.resourceVersion,
      },
      reason: reasons[verb],
      message: `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name} ${reasons[verb].toLowerCase()} by ${ctx.user.username}${how}`,
      source: { component: 'meshdeck-sandbox-apiserver' },
      reportingComponent: 'meshdeck-sandbox-apiserver',
      reportingInstance: 'sandbox',
      firstTimestamp: now,
      lastTimestamp: now,
      eventTime: null,
      count: 1,
      type: 'Normal',
      action: verb,
    });
    recent.push({ namespace, name });
    // Events expire in a real cluster; here the oldest go once there are too many.
    while (recent.length > MAX_EVENTS) {
      const old = recent.shift()!;
      store.remove(eventType, old.namespace, old.name);
    }
  }

  function reconcileDeployment(deployment: KubeObject | undefined, namespace: string, name: string) {
    const owned = store.list(podType, namespace).filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === name));
    if (!deployment) {
      for (const pod of owned) store.remove(podType, namespace, pod.metadata.name);
      return;
    }
    const spec = (deployment.spec ?? {}) as {
      replicas?: number;
      template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
    };
    const template = spec.template ?? {};
    const hash = createHash('sha256').update(JSON.stringify(template)).digest('hex').slice(0, 10);
    const desired = spec.replicas ?? 1;
    const current = owned.filter((p) => p.metadata.labels?.['pod-template-hash'] === hash);
    for (const pod of owned) if (pod.metadata.labels?.['pod-template-hash'] !== hash) store.remove(podType, namespace, pod.metadata.name);
    for (const pod of current.slice(desired)) store.remove(podType, namespace, pod.metadata.name);
    for (let i = current.length; i < desired; i++) {
      const podName = `${name}-${hash}-${randomBytes(3).toString('hex').slice(0, 5)}`;
      const ip = nextPodIp++;
      const pod: KubeObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace,
          uid: crypto.randomUUID(),
          creationTimestamp: timestamp(),
          labels: { ...template.metadata?.labels, 'pod-template-hash': hash },
          ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deployment.metadata.uid!, controller: true }],
        },
        // A copy: the injector adds containers and rewrites probes.
        spec: structuredClone(template.spec ?? {}),
        status: {
          phase: 'Running',
          podIP: `10.244.${Math.floor(ip / 250) % 250}.${(ip % 250) + 1}`,
          startTime: timestamp(),
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      };
      // The API server calls the injection webhook on every pod create, the controller's too.
      injectSidecar(pod, name);
      store.put(podType, pod);
    }
    const status = {
      observedGeneration: deployment.metadata.generation,
      replicas: desired,
      updatedReplicas: desired,
      readyReplicas: desired,
      availableReplicas: desired,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}-${hash}" has successfully progressed.` },
      ],
    };
    if (JSON.stringify(deployment.status) !== JSON.stringify(status)) store.put(deploymentType, { ...deployment, status });
  }

  return {
    admit(_ctx, object) {
      if (object.kind === 'Service') {
        const spec = (object.spec ??= {}) as Record<string, unknown>;
        if (!spec.clusterIP) {
          const ip = nextServiceIp++;
          spec.clusterIP = `10.96.${Math.floor(ip / 250) % 250}.${(ip % 250) + 1}`;
          spec.clusterIPs = [spec.clusterIP];
        }
        spec.type ??= 'ClusterIP';
      }
      if (object.kind === 'Namespace') object.status = { phase: 'Active' };
      if (object.kind === 'Pod' && object.apiVersion === 'v1') injectSidecar(object);
      if (object.kind === 'Secret' && object.apiVersion === 'v1') object.type ||= 'Opaque';
      // core/v1 Events serialize an unset eventTime as null.
      if (object.kind === 'Event' && object.apiVersion === 'v1') object.eventTime ??= null;
    },
    afterWrite(ctx, verb, object) {
      if (object.kind !== 'Event' && (options.events ?? true)) recordEvent(ctx, verb, object, ctx.query.get('fieldManager') ?? undefined);
      if (object.kind === 'Deployment' && ctx.subresource !== 'status') {
        const namespace = object.metadata.namespace!;
        reconcileDeployment(verb === 'delete' ? undefined : store.get(deploymentType, namespace, object.metadata.name), namespace, object.metadata.name);
      }
    },
  };
}
