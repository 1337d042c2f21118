import { describe, expect, it } from 'vitest';
import { graphQuery } from './graph-schemas';

describe('graphQuery', () => {
  it('defaults to every namespace, 1m, grouped by version', () => {
    expect(graphQuery.parse({})).toEqual({ namespaces: [], window: '1m', groupBy: 'version' });
  });

  it('reads a comma list of namespaces, sorted, without blanks or repeats', () => {
    expect(graphQuery.parse({ namespaces: 'shop, media,,shop', window: '5m', groupBy: 'app' })).toEqual({
      namespaces: ['media', 'shop'],
      window: '5m',
      groupBy: 'app',
    });
  });

  it('refuses bad values with a message that says what to send', () => {
    const message = (q: Record<string, string>) => {
      const r = graphQuery.safeParse(q);
      return r.success ? '' : r.error.issues.map((i) => i.message).join('; ');
    };
    expect(message({ namespaces: 'shop,Media' })).toBe(
      '"Media" is not a namespace name: use lowercase DNS labels (letters, digits, "-"), e.g. namespaces=shop,media',
    );
    expect(message({ namespaces: 'a|b' })).toMatch(/^"a\|b" is not a namespace name/);
    expect(message({ namespaces: 'x'.repeat(64) })).toMatch(/is not a namespace name/);
    expect(message({ namespaces: Array.from({ length: 101 }, (_, i) => `n${i}`).join(',') })).toMatch(/at most 100 namespaces/);
    expect(message({ window: '2m' })).toBe('must be one of 30s, 1m, 5m, 15m, 1h');
    expect(message({ groupBy: 'pod' })).toBe('must be one of app, version, workload, service');
  });
});
