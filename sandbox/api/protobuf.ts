// Just enough of Kubernetes' protobuf encoding to read what kubectl sends that way: the
// "k8s\0" envelope (runtime.Unknown) and, from their generated.proto field numbers, the
// objects of `kubectl create namespace|configmap|secret|serviceaccount|role|clusterrole|
// rolebinding|clusterrolebinding|service|deployment|poddisruptionbudget` and the access
// reviews of `kubectl auth can-i`. A field the tables below do not know is refused (415)
// by name rather than dropped.
import { badRequest, unsupportedMediaType } from './status.ts';

type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'quantity' | 'intOrString' | 'ignore';
interface Field {
  name: string;
  type: Scalar | Message | { map: 'string' | 'bytes' | 'quantity' };
  repeated?: true;
  /** A pointer in the Go type: a zero value that was sent is kept (others are dropped, as omitempty does). */
  pointer?: true;
}
type Message = { [number: number]: Field };

const f = (name: string, type: Field['type'], flag?: 'repeated' | 'pointer'): Field => ({ name, type, ...(flag ? { [flag]: true } : {}) });

// k8s.io/apimachinery/pkg/apis/meta/v1
const OwnerReference: Message = {
  1: f('kind', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('controller', 'bool', 'pointer'),
  7: f('blockOwnerDeletion', 'bool', 'pointer'),
};
const ObjectMeta: Message = {
  1: f('name', 'string'),
  2: f('generateName', 'string'),
  3: f('namespace', 'string'),
  4: f('selfLink', 'ignore'),
  5: f('uid', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('generation', 'int'),
  8: f('creationTimestamp', 'time'),
  9: f('deletionTimestamp', 'time'),
  10: f('deletionGracePeriodSeconds', 'int', 'pointer'),
  11: f('labels', { map: 'string' }),
  12: f('annotations', { map: 'string' }),
  13: f('ownerReferences', OwnerReference, 'repeated'),
  14: f('finalizers', 'string', 'repeated'),
  17: f('managedFields', 'ignore', 'repeated'), // the server keeps its own
};
const LabelSelector: Message = {
  1: f('matchLabels', { map: 'string' }),
  2: f('matchExpressions', { 1: f('key', 'string'), 2: f('operator', 'string'), 3: f('values', 'string', 'repeated') }, 'repeated'),
};
const ignoredStatus = f('status', 'ignore'); // status is the server's to fill in

// k8s.io/api/core/v1
const ObjectReference: Message = {
  1: f('kind', 'string'),
  2: f('namespace', 'string'),
  3: f('name', 'string'),
  4: f('uid', 'string'),
  5: f('apiVersion', 'string'),
  6: f('resourceVersion', 'string'),
  7: f('fieldPath', 'string'),
};
const LocalObjectReference: Message = { 1: f('name', 'string') };
const Container: Message = {
  1: f('name', 'string'),
  2: f('image', 'string'),
  3: f('command', 'string', 'repeated'),
  4: f('args', 'string', 'repeated'),
  5: f('workingDir', 'string'),
  6: f(
    'ports',
    { 1: f('name', 'string'), 2: f('hostPort', 'int'), 3: f('containerPort', 'int'), 4: f('protocol', 'string'), 5: f('hostIP', 'string') },
    'repeated',
  ),
  7: f('env', { 1: f('name', 'string'), 2: f('value', 'string') }, 'repeated'),
  8: f('resources', { 1: f('limits', { map: 'quantity' }), 2: f('requests', { map: 'quantity' }) }),
  13: f('terminationMessagePath', 'string'),
  14: f('imagePullPolicy', 'string'),
  16: f('stdin', 'bool'),
  17: f('stdinOnce', 'bool'),
  18: f('tty', 'bool'),
  20: f('terminationMessagePolicy', 'string'),
  24: f('restartPolicy', 'string', 'pointer'),
};
const PodSpec: Message = {
  2: f('containers', Container, 'repeated'),
  3: f('restartPolicy', 'string'),
  4: f('terminationGracePeriodSeconds', 'int', 'pointer'),
  5: f('activeDeadlineSeconds', 'int', 'pointer'),
  6: f('dnsPolicy', 'string'),
  7: f('nodeSelector', { map: 'string' }),
  8: f('serviceAccountName', 'string'),
  9: f('serviceAccount', 'string'),
  10: f('nodeName', 'string'),
  11: f('hostNetwork', 'bool'),
  12: f('hostPID', 'bool'),
  13: f('hostIPC', 'bool'),
  15: f('imagePullSecrets', LocalObjectReference, 'repeated'),
  16: f('hostname', 'string'),
  17: f('subdomain', 'string'),
  19: f('schedulerName', 'string'),
  20: f('initContainers', Container, 'repeated'),
  21: f('automountServiceAccountToken', 'bool', 'pointer'),
  24: f('priorityClassName', 'string'),
  27: f('shareProcessNamespace', 'bool', 'pointer'),
};
const ServicePort: Message = {
  1: f('name', 'string'),
  2: f('protocol', 'string'),
  3: f('port', 'int'),
  4: f('targetPort', 'intOrString'),
  5: f('nodePort', 'int'),
  6: f('appProtocol', 'string'),
};
const ServiceSpec: Message = {
  1: f('ports', ServicePort, 'repeated'),
  2: f('selector', { map: 'string' }),
  3: f('clusterIP', 'string'),
  4: f('type', 'string'),
  5: f('externalIPs', 'string', 'repeated'),
  7: f('sessionAffinity', 'string'),
  8: f('loadBalancerIP', 'string'),
  9: f('loadBalancerSourceRanges', 'string', 'repeated'),
  10: f('externalName', 'string'),
  11: f('externalTrafficPolicy', 'string'),
  12: f('healthCheckNodePort', 'int'),
  13: f('publishNotReadyAddresses', 'bool'),
  17: f('ipFamilyPolicy', 'string', 'pointer'),
  18: f('clusterIPs', 'string', 'repeated'),
  19: f('ipFamilies', 'string', 'repeated'),
  20: f('allocateLoadBalancerNodePorts', 'bool', 'pointer'),
  21: f('loadBalancerClass', 'string', 'pointer'),
  22: f('internalTrafficPolicy', 'string', 'pointer'),
};

// k8s.io/api/rbac/v1
const PolicyRule: Message = {
  1: f('verbs', 'string', 'repeated'),
  2: f('apiGroups', 'string', 'repeated'),
  3: f('resources', 'string', 'repeated'),
  4: f('resourceNames', 'string', 'repeated'),
  5: f('nonResourceURLs', 'string', 'repeated'),
};
const Subject: Message = { 1: f('kind', 'string'), 2: f('apiGroup', 'string'), 3: f('name', 'string'), 4: f('namespace', 'string') };
const RoleRef: Message = { 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') };
const binding: Message = { 1: f('metadata', ObjectMeta), 2: f('subjects', Subject, 'repeated'), 3: f('roleRef', RoleRef) };

// The kinds, by apiVersion and kind.
const kinds: Record<string, Message> = {
  'v1/Namespace': { 1: f('metadata', ObjectMeta), 2: f('spec', { 1: f('finalizers', 'string', 'repeated') }), 3: ignoredStatus },
  'v1/ConfigMap': { 1: f('metadata', ObjectMeta), 2: f('data', { map: 'string' }), 3: f('binaryData', { map: 'bytes' }), 4: f('immutable', 'bool', 'pointer') },
  'v1/Secret': {
    1: f('metadata', ObjectMeta),
    2: f('data', { map: 'bytes' }),
    3: f('type', 'string'),
    4: f('stringData', { map: 'string' }),
    5: f('immutable', 'bool', 'pointer'),
  },
  'v1/ServiceAccount': {
    1: f('metadata', ObjectMeta),
    2: f('secrets', ObjectReference, 'repeated'),
    3: f('imagePullSecrets', LocalObjectReference, 'repeated'),
    4: f('automountServiceAccountToken', 'bool', 'pointer'),
  },
  'v1/Service': { 1: f('metadata', ObjectMeta), 2: f('spec', ServiceSpec), 3: ignoredStatus },
  'apps/v1/Deployment': {
    1: f('metadata', ObjectMeta),
    2: f('spec', {
      1: f('replicas', 'int', 'pointer'),
      2: f('selector', LabelSelector),
      3: f('template', { 1: f('metadata', ObjectMeta), 2: f('spec', PodSpec) }),
      4: f('strategy', { 1: f('type', 'string'), 2: f('rollingUpdate', { 1: f('maxUnavailable', 'intOrString'), 2: f('maxSurge', 'intOrString') }) }),
      5: f('minReadySeconds', 'int'),
      6: f('revisionHistoryLimit', 'int', 'pointer'),
      7: f('paused', 'bool'),
      9: f('progressDeadlineSeconds', 'int', 'pointer'),
    }),
    3: ignoredStatus,
  },
  'policy/v1/PodDisruptionBudget': {
    1: f('metadata', ObjectMeta),
    2: f('spec', {
      1: f('minAvailable', 'intOrString'),
      2: f('selector', LabelSelector),
      3: f('maxUnavailable', 'intOrString'),
      4: f('unhealthyPodEvictionPolicy', 'string', 'pointer'),
    }),
    3: ignoredStatus,
  },
  'rbac.authorization.k8s.io/v1/Role': { 1: f('metadata', ObjectMeta), 2: f('rules', PolicyRule, 'repeated') },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    1: f('metadata', ObjectMeta),
    2: f('rules', PolicyRule, 'repeated'),
    3: f('aggregationRule', { 1: f('clusterRoleSelectors', LabelSelector, 'repeated') }),
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': binding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': binding,
  'authorization.k8s.io/v1/SelfSubjectAccessReview': {
    1: f('metadata', ObjectMeta),
    2: f('spec', {
      1: f('resourceAttributes', {
        1: f('namespace', 'string'),
        2: f('verb', 'string'),
        3: f('group', 'string'),
        4: f('version', 'string'),
        5: f('resource', 'string'),
        6: f('subresource', 'string'),
        7: f('name', 'string'),
        8: f('fieldSelector', 'ignore'),
        9: f('labelSelector', 'ignore'),
      }),
      2: f('nonResourceAttributes', { 1: f('path', 'string'), 2: f('verb', 'string') }),
    }),
    3: ignoredStatus,
  },
  'authorization.k8s.io/v1/SelfSubjectRulesReview': { 1: f('metadata', ObjectMeta), 2: f('spec', { 1: f('namespace', 'string') }), 3: ignoredStatus },
};

/** The kinds (apiVersion/kind) whose protobuf bodies the sandbox reads. */
export const protobufKinds = Object.keys(kinds);

type Raw = { field: number; wire: number; value: Uint8Array | bigint };

function readVarint(bytes: Uint8Array, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = offset; i < bytes.length; i++) {
    const byte = bytes[i]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
  }
  throw badRequest('truncated protobuf varint');
}

function readFields(bytes: Uint8Array): Raw[] {
  const fields: Raw[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const [key, next] = readVarint(bytes, offset);
    offset = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(bytes, offset);
      fields.push({ field, wire, value });
      offset = after;
    } else if (wire === 2) {
      const [length, start] = readVarint(bytes, offset);
      fields.push({ field, wire, value: bytes.subarray(start, start + Number(length)) });
      offset = start + Number(length);
    } else if (wire === 1 || wire === 5) {
      offset += wire === 1 ? 8 : 4; // no field the sandbox reads is fixed-width
    } else throw badRequest(`unsupported protobuf wire type ${wire}`);
  }
  return fields;
}

const utf8 = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (raw: Raw, path: string) => {
  if (!(raw.value instanceof Uint8Array)) throw badRequest(`${path}: expected a length-delimited protobuf field`);
  return raw.value;
};
const intOf = (raw: Raw) => (typeof raw.value === 'bigint' ? Number(BigInt.asIntN(64, raw.value)) : 0);

function decodeScalar(type: Scalar | Message, raw: Raw, path: string): unknown {
  switch (type) {
    case 'string':
      return utf8(bytesOf(raw, path));
    case 'bytes':
      return Buffer.from(bytesOf(raw, path)).toString('base64'); // JSON carries bytes as base64
    case 'int':
      return intOf(raw);
    case 'bool':
      return intOf(raw) !== 0;
    case 'time': {
      const time = decodeMessage(bytesOf(raw, path), { 1: f('seconds', 'int'), 2: f('nanos', 'int') }, path) as { seconds?: number };
      return time.seconds ? new Date(time.seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z') : undefined;
    }
    case 'quantity':
      return (decodeMessage(bytesOf(raw, path), { 1: f('string', 'string') }, path) as { string?: string }).string ?? '0';
    case 'intOrString': {
      const value = decodeMessage(bytesOf(raw, path), { 1: f('type', 'int'), 2: f('intVal', 'int'), 3: f('strVal', 'string') }, path) as {
        type?: number;
        intVal?: number;
        strVal?: string;
      };
      return value.type === 1 ? (value.strVal ?? '') : (value.intVal ?? 0);
    }
    case 'ignore':
      return undefined;
    default:
      return decodeMessage(bytesOf(raw, path), type, path);
  }
}

function decodeMessage(bytes: Uint8Array, message: Message, path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const raw of readFields(bytes)) {
    const spec = message[raw.field];
    if (!spec)
      throw unsupportedMediaType(`the sandbox cannot read protobuf field ${raw.field} of ${path}; send the object as JSON (kubectl create -f FILE does)`);
    const at = `${path}.${spec.name}`;
    if (typeof spec.type === 'object' && 'map' in spec.type) {
      const valueType = spec.type.map as Scalar;
      const entry = readFields(bytesOf(raw, at));
      const key = entry.find((e) => e.field === 1);
      const value = entry.find((e) => e.field === 2);
      const map = (out[spec.name] ??= {}) as Record<string, unknown>;
      map[key ? utf8(bytesOf(key, at)) : ''] = value ? decodeScalar(valueType, value, at) : valueType === 'string' ? '' : undefined;
      continue;
    }
    const value = decodeScalar(spec.type as Scalar | Message, raw, at);
    // gogo-protobuf writes every non-pointer scalar; Go's JSON leaves the zero ones out (omitempty).
    const zero = value === '' || value === 0 || value === false;
    if (value === undefined || (zero && !spec.pointer && !spec.repeated && (spec.type === 'string' || spec.type === 'int' || spec.type === 'bool'))) continue;
    if (spec.repeated) ((out[spec.name] ??= []) as unknown[]).push(value);
    else out[spec.name] = value;
  }
  return out;
}

/**
 * Decodes an object sent as application/vnd.kubernetes.protobuf into its JSON form.
 * Throws 415 naming the kind when the sandbox cannot read it.
 */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  if (body.length < 4 || utf8(body.subarray(0, 3)) !== 'k8s' || body[3] !== 0) throw badRequest('the protobuf body lacks the k8s envelope');
  const envelope = decodeMessage(
    body.subarray(4),
    {
      1: f('typeMeta', { 1: f('apiVersion', 'string'), 2: f('kind', 'string') }),
      2: f('raw', 'ignore'),
      3: f('contentEncoding', 'string'),
      4: f('contentType', 'string'),
    },
    'runtime.Unknown',
  );
  const { apiVersion = '', kind = '' } = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const message = kinds[`${apiVersion}/${kind}`];
  if (!message) {
    throw unsupportedMediaType(
      `the sandbox cannot read ${kind || 'objects'} (${apiVersion || 'unknown version'}) sent as application/vnd.kubernetes.protobuf; it reads protobuf for ${protobufKinds.map((k) => k.split('/').pop()).join(', ')} and JSON or YAML for every kind`,
    );
  }
  const raw = readFields(body.subarray(4)).find((r) => r.field === 2);
  const object = raw ? decodeMessage(bytesOf(raw, kind), message, kind) : {};
  return { apiVersion, kind, ...object };
}
