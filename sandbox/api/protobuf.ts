// Just enough of Kubernetes' protobuf encoding to read the access reviews kubectl sends
// that way (`kubectl auth can-i`): the "k8s\0" envelope and the review messages' fields.
import { badRequest } from './status.ts';

type Fields = Map<number, (Uint8Array | bigint)[]>;

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

function decodeFields(bytes: Uint8Array): Fields {
  const fields: Fields = new Map();
  let offset = 0;
  while (offset < bytes.length) {
    const [key, next] = readVarint(bytes, offset);
    offset = next;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: Uint8Array | bigint;
    if (wire === 0) [value, offset] = readVarint(bytes, offset);
    else if (wire === 2) {
      const [length, start] = readVarint(bytes, offset);
      value = bytes.subarray(start, start + Number(length));
      offset = start + Number(length);
    } else if (wire === 1) {
      value = bytes.subarray(offset, offset + 8) as unknown as bigint;
      offset += 8;
    } else if (wire === 5) {
      value = bytes.subarray(offset, offset + 4) as unknown as bigint;
      offset += 4;
    } else throw badRequest(`unsupported protobuf wire type ${wire}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const text = (fields: Fields, n: number) => {
  const v = fields.get(n)?.[0];
  return v instanceof Uint8Array ? new TextDecoder().decode(v) : undefined;
};
const message = (fields: Fields, n: number) => {
  const v = fields.get(n)?.[0];
  return v instanceof Uint8Array ? decodeFields(v) : undefined;
};

/** Decodes a SelfSubjectAccessReview or SelfSubjectRulesReview sent as application/vnd.kubernetes.protobuf. */
export function decodeReview(body: Uint8Array, kind: string): Record<string, unknown> {
  if (body.length < 4 || new TextDecoder().decode(body.subarray(0, 3)) !== 'k8s' || body[3] !== 0) throw badRequest('the protobuf body lacks the k8s envelope');
  const unknown = decodeFields(body.subarray(4));
  const raw = unknown.get(2)?.[0];
  if (!(raw instanceof Uint8Array)) throw badRequest('the protobuf envelope carries no object');
  const review = decodeFields(raw);
  const spec = message(review, 2) ?? new Map();
  if (kind === 'SelfSubjectRulesReview') return { spec: { namespace: text(spec, 1) ?? '' } };
  const resource = message(spec, 1);
  const nonResource = message(spec, 2);
  if (nonResource) return { spec: { nonResourceAttributes: { path: text(nonResource, 1), verb: text(nonResource, 2) } } };
  const attrs = resource ?? new Map();
  return {
    spec: {
      resourceAttributes: {
        namespace: text(attrs, 1) ?? '',
        verb: text(attrs, 2) ?? '',
        group: text(attrs, 3) ?? '',
        version: text(attrs, 4) ?? '',
        resource: text(attrs, 5) ?? '',
        subresource: text(attrs, 6) ?? '',
        name: text(attrs, 7) ?? '',
      },
    },
  };
}
