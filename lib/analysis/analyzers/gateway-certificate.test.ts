import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { gatewayCertificate } from './gateway-certificate';

const gw = (ref: string, selector: Record<string, string>, tls: Record<string, string>, host = 'media.example.io') =>
  obj('Gateway', ref, { selector, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: [host], tls: { mode: 'SIMPLE', ...tls } }] });

describe('gateway.certificate', () => {
  it('reports one credential on gateways of the same workload, across namespaces', () => {
    const findings = findingsOf(gatewayCertificate, [
      gw('media/videos', { istio: 'media-gw' }, { credentialName: 'media-wildcard' }, 'videos.media.example.io'),
      gw('stream/live', { istio: 'media-gw', rev: 'canary' }, { credentialName: 'media-wildcard' }, 'live.media.example.io'),
    ]);
    // videos' selector is within live's: videos reports; live's is not within videos', so live does not.
    expect(summarize(findings)).toEqual(['IST0138 Gateway media/videos spec.servers[0].tls']);
    expect(findings[0]!.level).toBe('Warning');
    expect(findings[0]!.message).toBe(
      'Duplicate certificate in multiple gateways [media/videos stream/live] may cause 404s if clients re-use HTTP2 connections.',
    );
  });

  it('compares file certificates by certificate and key', () => {
    const files = { serverCertificate: '/etc/certs/media.pem', privateKey: '/etc/certs/media.key' };
    const findings = findingsOf(gatewayCertificate, [
      gw('media/a', { istio: 'media-gw' }, files),
      gw('media/b', { istio: 'media-gw' }, files),
      gw('media/c', { istio: 'media-gw' }, { serverCertificate: '/etc/certs/media.pem', privateKey: '/etc/certs/other.key' }),
    ]);
    expect(summarize(findings)).toEqual(['IST0138 Gateway media/a spec.servers[0].tls', 'IST0138 Gateway media/b spec.servers[0].tls']);
  });

  it('accepts distinct credentials and gateways of other workloads', () => {
    const findings = findingsOf(gatewayCertificate, [
      gw('media/a', { istio: 'media-gw' }, { credentialName: 'cert-a' }),
      gw('media/b', { istio: 'media-gw' }, { credentialName: 'cert-b' }),
      gw('media/c', { istio: 'other-gw' }, { credentialName: 'cert-a' }),
    ]);
    expect(findings).toEqual([]);
  });
});
