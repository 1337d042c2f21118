// Content negotiation of get, list and watch responses (the Accept header): the objects
// themselves, a Table (kubectl get), or metadata only (client-go's metadata informers send
// "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json").
import { StatusError } from './status.ts';
import type { KubeObject } from './store.ts';

export type Rendering = 'Table' | 'PartialObjectMetadata' | undefined;

const JSON_RANGES = new Set(['application/json', 'application/*', '*/*']);

/**
 * The rendering the first acceptable media range of `accept` asks for. Lists take
 * as=PartialObjectMetadataList, get and watch as=PartialObjectMetadata; ranges the sandbox
 * cannot produce (protobuf, YAML) are skipped, and 406 answers when none is left.
 */
export function negotiate(accept: string | undefined, verb: 'get' | 'list' | 'watch'): Rendering {
  if (!accept?.trim()) return undefined;
  for (const range of accept.split(',')) {
    const [mediaType = '', ...rawParams] = range.split(';').map((part) => part.trim());
    if (!JSON_RANGES.has(mediaType.toLowerCase())) continue;
    const params = Object.fromEntries(rawParams.map((p) => p.split('=').map((s) => s.trim())));
    if (!params.as) return undefined;
    const version = params.v === 'v1' || (params.as === 'Table' && params.v === 'v1beta1');
    if (params.g !== 'meta.k8s.io' || !version) continue;
    if (params.as === 'Table') return 'Table';
    if (params.as === (verb === 'list' ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return 'PartialObjectMetadata';
  }
  throw new StatusError(
    406,
    `only the following media types are accepted: application/json, application/json;as=Table;g=meta.k8s.io;v=v1, application/json;as=PartialObjectMetadata${verb === 'list' ? 'List' : ''};g=meta.k8s.io;v=v1`,
    'NotAcceptable',
  );
}

/** An object reduced to its metadata, as meta.k8s.io/v1 PartialObjectMetadata. */
export function partialObjectMetadata(object: { metadata: Partial<KubeObject['metadata']> }): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}
