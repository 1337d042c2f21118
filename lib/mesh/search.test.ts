import { describe, expect, it } from 'vitest';
import { searchObjects, serviceHosts, type Searchable } from './search';

const items: Searchable[] = [
  { kind: 'VirtualService', namespace: 'shop', name: 'cart-routes', hosts: ['cart'] },
  { kind: 'DestinationRule', namespace: 'shop', name: 'cart', hosts: ['cart.shop.svc.cluster.local'] },
  { kind: 'Service', namespace: 'shop', name: 'cart', hosts: serviceHosts('shop', 'cart') },
  { kind: 'Service', namespace: 'shop', name: 'checkout', hosts: serviceHosts('shop', 'checkout') },
  { kind: 'AuthorizationPolicy', namespace: 'shop', name: 'allow-cart-from-web', hosts: [] },
  { kind: 'VirtualService', namespace: 'edge', name: 'public', hosts: ['shop.example.com'] },
  { kind: 'PeerAuthentication', namespace: 'billing', name: 'default', hosts: [] },
];

const found = (query: string) => searchObjects(items, query).hits.map((h) => `${h.kind} ${h.namespace}/${h.name} ${h.quality} ${h.matchedOn}`);

describe('searchObjects', () => {
  it('ranks exact before prefix before substring, names before hosts of the same quality, then by kind', () => {
    expect(found('cart')).toEqual([
      'DestinationRule shop/cart exact name',
      'Service shop/cart exact name',
      'VirtualService shop/cart-routes exact host',
      'AuthorizationPolicy shop/allow-cart-from-web substring name',
    ]);
  });

  it('is case-insensitive and ignores surrounding blanks', () => {
    expect(found('  CHECK ')).toEqual(['Service shop/checkout prefix name']);
  });

  it('finds by a host that is not the name', () => {
    expect(found('example.com')).toEqual(['VirtualService edge/public substring host']);
    expect(found('shop.example')).toEqual(['VirtualService edge/public prefix host']);
  });

  it('finds a service by its namespace-qualified host, but not every service of a namespace by its name', () => {
    expect(found('checkout.shop')).toEqual(['Service shop/checkout exact host']);
    expect(found('hop')).toEqual(['VirtualService edge/public substring host']);
  });

  it('looks in one namespace with namespace/text, and lists a namespace with namespace/', () => {
    expect(found('billing/def')).toEqual(['PeerAuthentication billing/default prefix name']);
    expect(found('edge/cart')).toEqual([]);
    expect(searchObjects(items, 'billing/').total).toBe(1);
  });

  it('answers nothing for a blank query, and caps the hits while counting them all', () => {
    expect(searchObjects(items, '   ')).toEqual({ query: '', hits: [], total: 0 });
    const answer = searchObjects(items, 'cart', 2);
    expect(answer.hits).toHaveLength(2);
    expect(answer.total).toBe(4);
  });
});
