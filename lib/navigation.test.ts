import { describe, expect, it } from 'vitest';
import { findingsHref, hasObjectPage, objectHref, pageHref } from './navigation';

describe('objectHref', () => {
  it("links each kind to its page, in its namespace, with its page's table filtered to it and its drawer open", () => {
    const at = (kind: Parameters<typeof objectHref>[0]['kind']) => objectHref({ kind, namespace: 'shop', name: 'cart' });
    expect(at('VirtualService')).toBe('/traffic?namespace=shop&routes.q=cart');
    expect(at('DestinationRule')).toBe('/resilience?namespace=shop&rules.q=cart&rule=shop%2Fcart');
    expect(at('AuthorizationPolicy')).toBe('/security?namespace=shop&authz.q=cart&policy=shop%2Fcart');
    expect(at('RequestAuthentication')).toBe('/security?namespace=shop&jwt.q=cart&jwt=shop%2Fcart');
    expect(at('PeerAuthentication')).toBe('/security?namespace=shop');
    expect(at('Service')).toBe('/kpis?namespace=shop&service=cart&serviceNamespace=shop');
  });
});

describe('pageHref', () => {
  it('leaves out empty parameters', () => {
    expect(pageHref('/audit', { namespace: '', q: undefined })).toBe('/audit');
    expect(pageHref('/audit', { namespace: 'a b' })).toBe('/audit?namespace=a+b');
  });
});

describe('findingsHref', () => {
  it("opens the Validation page on one object's findings, in its namespace", () => {
    expect(findingsHref({ kind: 'VirtualService', namespace: 'shop', name: 'cart' })).toBe('/validation?namespace=shop&object=VirtualService%2Fshop%2Fcart');
    expect([hasObjectPage('DestinationRule'), hasObjectPage('Sidecar')]).toEqual([true, false]);
  });
});
