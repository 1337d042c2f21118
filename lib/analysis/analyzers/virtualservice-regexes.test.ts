import { describe, expect, it } from 'vitest';
import { findingsOf, obj, summarize } from '../testing';
import { virtualServiceRegexes as analyzer } from './virtualservice-regexes';

const vs = (http: unknown[], apiVersion = 'networking.istio.io/v1') => obj('VirtualService', 'media/player', { hosts: ['player'], http }, { apiVersion });
const to = { route: [{ destination: { host: 'player' } }] };

describe('virtualservice.regexes', () => {
  it('reports RE2-invalid regexes in every match field and in CORS origins', () => {
    const findings = findingsOf(analyzer, [
      vs([
        {
          match: [
            { uri: { regex: '^/stream/(?!internal)' }, headers: { 'x-build': { regex: '(a)\\1' } } },
            { authority: { regex: '[a-' }, queryParams: { lang: { regex: 'en{2000}' } }, withoutHeaders: { 'x-debug': { regex: '(?<=a)b' } } },
          ],
          corsPolicy: { allowOrigins: [{ regex: 'https://(?=.*example)' }, { exact: 'https://example.org' }] },
          ...to,
        },
      ]),
    ]);
    expect(summarize(findings)).toEqual([
      'IST0122 VirtualService media/player spec.http[0].corsPolicy.allowOrigins[0].regex',
      'IST0122 VirtualService media/player spec.http[0].match[0].headers.x-build.regex',
      'IST0122 VirtualService media/player spec.http[0].match[0].uri.regex',
      'IST0122 VirtualService media/player spec.http[0].match[1].authority.regex',
      'IST0122 VirtualService media/player spec.http[0].match[1].queryParams.lang.regex',
      'IST0122 VirtualService media/player spec.http[0].match[1].withoutHeaders.x-debug.regex',
    ]);
    expect(findings[2]!.message).toBe(
      'Field "uri" regular expression invalid: "^/stream/(?!internal)" (error parsing regexp: invalid or unsupported Perl syntax: `(?!`)',
    );
  });

  it('accepts RE2 regexes, Go flags and the withoutHeaders presence wildcard', () => {
    const findings = findingsOf(analyzer, [
      vs(
        [
          {
            match: [{ uri: { regex: '(?i)^/stream/[a-z0-9-]+$' }, method: { regex: 'GET|HEAD' }, withoutHeaders: { 'x-debug': { regex: '*' } } }],
            corsPolicy: { allowOrigins: [{ regex: 'https://.*\\.example\\.org' }] },
            ...to,
          },
        ],
        'networking.istio.io/v1beta1',
      ),
      obj(
        'VirtualService',
        'media/legacy',
        { hosts: ['legacy'], http: [{ match: [{ scheme: { regex: 'https?' } }], ...to }] },
        { apiVersion: 'networking.istio.io/v1alpha3' },
      ),
    ]);
    expect(findings).toEqual([]);
  });
});
