// The header's search: find any VirtualService, DestinationRule, policy or Service by name or
// host. Pure: the caller hands over what the watch caches hold (already limited to what the
// person may see); this ranks it.

/** The kinds the search box finds, in the order results of equal quality are listed. */
export const SEARCH_KINDS = ['VirtualService', 'DestinationRule', 'Service', 'PeerAuthentication', 'RequestAuthentication', 'AuthorizationPolicy'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** One object the search can find. */
export interface Searchable {
  kind: SearchKind;
  namespace: string;
  name: string;
  /** The hosts it names (a VirtualService's hosts, a DestinationRule's host, a Service's DNS names). */
  hosts: string[];
}

/** exact: the whole name or host; prefix: it starts with the query; substring: it contains it. */
export type MatchQuality = 'exact' | 'prefix' | 'substring';

export interface SearchHit extends Searchable {
  quality: MatchQuality;
  matchedOn: 'name' | 'host';
  /** The name or host that matched. */
  matched: string;
}

export interface SearchAnswer {
  query: string;
  hits: SearchHit[];
  /** How many objects matched in all; `hits` holds the best `limit` of them. */
  total: number;
}

export const SEARCH_LIMIT = 20;
export const SEARCH_QUERY_MAX = 253;

const QUALITY_RANK: Record<MatchQuality, number> = { exact: 0, prefix: 1, substring: 2 };
const KIND_RANK = new Map<SearchKind, number>(SEARCH_KINDS.map((kind, i) => [kind, i]));

function qualityOf(candidate: string, query: string): MatchQuality | undefined {
  const text = candidate.toLowerCase();
  if (text === query) return 'exact';
  if (text.startsWith(query)) return 'prefix';
  return text.includes(query) ? 'substring' : undefined;
}

/**
 * The best match of one object: on its name first, then on any host. A host matches whole or
 * by its start; inside it only in its first label, unless the query has a dot: otherwise the
 * namespace in every Service's host (`cart.shop`) would make a search for "shop" list them all.
 */
function bestMatch(item: Searchable, query: string): Omit<SearchHit, keyof Searchable> | undefined {
  let best: Omit<SearchHit, keyof Searchable> | undefined;
  const consider = (candidate: string, quality: MatchQuality | undefined, matchedOn: 'name' | 'host') => {
    if (quality && (!best || rank(quality, matchedOn) < rank(best.quality, best.matchedOn))) best = { quality, matchedOn, matched: candidate };
  };
  consider(item.name, qualityOf(item.name, query), 'name');
  const dotted = query.includes('.');
  for (const host of item.hosts) {
    const whole = qualityOf(host, query);
    consider(host, whole === 'substring' && !dotted ? undefined : whole, 'host');
    // "reviews" finds reviews.prod.svc.cluster.local as exactly as the name "reviews" would.
    const short = host.split('.')[0];
    if (short && short !== host) consider(host, qualityOf(short, query), 'host');
  }
  return best;
}

// A name match outranks a host match of the same quality: the name is what people type.
const rank = (quality: MatchQuality, matchedOn: 'name' | 'host') => QUALITY_RANK[quality] * 2 + (matchedOn === 'host' ? 1 : 0);

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The objects matching `query` (case-insensitive) on name or host, best first: exact before
 * prefix before substring, a name before a host, then shorter names, kind, namespace and
 * name. A query `namespace/text` looks in that namespace only.
 */
export function searchObjects(items: Iterable<Searchable>, rawQuery: string, limit = SEARCH_LIMIT): SearchAnswer {
  const query = rawQuery.trim().toLowerCase();
  if (!query) return { query, hits: [], total: 0 };
  const slash = query.indexOf('/');
  const namespace = slash > 0 ? query.slice(0, slash) : undefined;
  const text = slash >= 0 ? query.slice(slash + 1) : query;
  const hits: SearchHit[] = [];
  for (const item of items) {
    if (namespace !== undefined && item.namespace !== namespace) continue;
    // "namespace/" alone lists that namespace's objects.
    const match = text ? bestMatch(item, text) : { quality: 'prefix' as const, matchedOn: 'name' as const, matched: item.name };
    if (match) hits.push({ ...item, ...match });
  }
  hits.sort(
    (a, b) =>
      rank(a.quality, a.matchedOn) - rank(b.quality, b.matchedOn) ||
      a.name.length - b.name.length ||
      (KIND_RANK.get(a.kind) ?? 0) - (KIND_RANK.get(b.kind) ?? 0) ||
      compareText(a.namespace, b.namespace) ||
      compareText(a.name, b.name),
  );
  return { query, hits: hits.slice(0, limit), total: hits.length };
}

/** A Service's DNS names, shortest first, as VirtualServices and DestinationRules write them. */
export const serviceHosts = (namespace: string, name: string) => [`${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`];
