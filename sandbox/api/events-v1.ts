// events.k8s.io/v1 Event is the core/v1 Event stored once and shown with renamed fields,
// as kube-apiserver converts them (involvedObject -> regarding, message -> note, ...).
import type { KubeObject } from './store.ts';

// core/v1 field -> events.k8s.io/v1 field
const renamed: [core: string, events: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
  ['reportingComponent', 'reportingController'],
];
const shared = ['reportingInstance', 'reason', 'type', 'action', 'related', 'series', 'eventTime'];

function rename(object: KubeObject, apiVersion: string, pairs: [string, string][]): KubeObject {
  const out: KubeObject = { kind: 'Event', apiVersion, metadata: object.metadata };
  for (const [from, to] of pairs) if (object[from] !== undefined) out[to] = object[from];
  for (const field of shared) if (object[field] !== undefined) out[field] = object[field];
  return out;
}

export const eventFromCore = (core: KubeObject): KubeObject => ({ eventTime: null, ...rename(core, 'events.k8s.io/v1', renamed) });
export const eventToCore = (event: KubeObject): KubeObject =>
  rename(
    event,
    'v1',
    renamed.map(([core, events]) => [events, core]),
  );
