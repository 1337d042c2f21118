import { createElement, type ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { DataColumn } from '@/components/ui/data-table';
import { edgeId, type GraphEdge, type MeshGraph } from '@/lib/mesh/graph';
import { applyGraphFilter } from '@/lib/mesh/graph-filter';
import { graphNode as node } from '@/lib/mesh/testdata/graph-elements';
import { breakerState, edgeColumns, flagsText, formatEdgeRate, GraphTable, nodeColumns, nodeLabel } from './graph-table';

vi.mock('next/navigation', () => ({ useSearchParams: () => new URLSearchParams() }));

const service = node('service', 'shop', 'reviews', {
  host: 'reviews.shop.svc.cluster.local',
  decoration: { breaker: { connectionPool: true, outlierDetection: false } },
});
const canary = node('workload', 'shop', 'reviews', {
  app: 'reviews',
  version: 'canary',
  traffic: { inRps: 3, outRps: 0, errorRatio: 0.3 },
  tripped: { uo: 0.5, uh: 0 },
  decoration: { mtlsMode: 'PERMISSIVE', findings: { error: 1, warning: 2, info: 0 } },
});
const external = node('external', '', 'api.example.com');
const toCanary: GraphEdge = {
  id: edgeId(service.id, canary.id, 'http'),
  source: service.id,
  target: canary.id,
  protocol: 'http',
  rps: 3,
  errors4xx: 0,
  errors5xx: 0.3,
  p95: 1500,
  mtls: 0.75,
  flags: { URX: 1, UO: 0.5, UH: 0 },
  share: 0.1,
};
const toExternal: GraphEdge = {
  ...toCanary,
  id: edgeId(canary.id, external.id, 'tcp'),
  source: canary.id,
  target: external.id,
  protocol: 'tcp',
  rps: 0,
  tcpBytesPerSecond: 5200,
  mtls: null,
  flags: {},
  share: undefined,
};
const graph: MeshGraph = {
  generatedAt: '2026-11-26T09:00:00Z',
  window: '1m',
  groupBy: 'version',
  namespaces: [],
  nodes: [service, canary, external],
  edges: [toCanary, toExternal],
  queries: 4,
};

/** The text a column's cell shows for a row. */
function cellText<Row>(columns: DataColumn<Row>[], id: string, row: Row): string {
  const column = columns.find((c) => c.id === id)!;
  return renderToStaticMarkup(createElement('div', null, column.cell(row) as ReactNode)).replace(/<[^>]+>/g, '');
}

describe('the graph table columns', () => {
  it('name nodes by name and version, and the breaker by its evidence', () => {
    expect(nodeLabel(canary)).toBe('reviews canary');
    expect(nodeLabel(external)).toBe('api.example.com');
    expect([breakerState(canary), breakerState(service), breakerState(external)]).toEqual(['tripped', 'set', 'none']);
    const columns = nodeColumns();
    expect(columns.map((c) => c.header)).toEqual([
      'Kind',
      'Namespace',
      'App / name',
      'Version',
      'In rps',
      'Out rps',
      'Error %',
      'mTLS mode',
      'Breaker',
      'Findings',
    ]);
    expect(cellText(columns, 'name', canary)).toBe('reviewstripped');
    expect(cellText(columns, 'name', service)).toBe('reviewsservice');
    expect(cellText(columns, 'inRps', canary)).toBe('3/s');
    expect(cellText(columns, 'errors', canary)).toBe('30% (error level)');
    expect(cellText(columns, 'breaker', canary)).toBe('Tripped (UO 0.5/s)');
    expect(cellText(columns, 'findings', canary)).toBe('1 error, 2 warnings');
    expect(cellText(columns, 'mtlsMode', canary)).toBe('PERMISSIVE');
  });

  it('show edge rates, errors, P95, the mTLS share with a written plaintext warning, flags and share', () => {
    const columns = edgeColumns(new Map(graph.nodes.map((n) => [n.id, n])));
    expect(columns.map((c) => c.header)).toEqual(['From', 'To', 'Protocol', 'Rate', '4xx %', '5xx %', 'P95', 'mTLS', 'Flags', 'Share']);
    expect(cellText(columns, 'from', toCanary)).toBe('reviewsservice');
    expect(cellText(columns, 'to', toCanary)).toBe('reviews canary⚠ plaintext');
    expect(cellText(columns, 'rate', toCanary)).toBe('3/s');
    expect(formatEdgeRate(toExternal)).toBe('5.2kB/s');
    expect(cellText(columns, 'errors5xx', toCanary)).toBe('30% (error level)');
    expect(cellText(columns, 'p95', toCanary)).toBe('1.5 s');
    expect(cellText(columns, 'mtls', toCanary)).toBe('⚠ plaintext 25%');
    expect(cellText(columns, 'mtls', toExternal)).toBe('not reported');
    expect(flagsText(toCanary.flags)).toBe('URX 1/s, UO 0.5/s');
    expect(cellText(columns, 'share', toCanary)).toBe('10%');
  });
});

describe('GraphTable', () => {
  it('renders two named tables of the visible rows only', () => {
    const { visibleNodes, visibleEdges } = applyGraphFilter(graph, { hide: 'kind = external' });
    const html = renderToStaticMarkup(createElement(GraphTable, { graph, visibleNodes, visibleEdges, selectedId: canary.id, onSelect: () => {} }));
    expect(html).toContain('role="table" aria-label="Graph nodes"');
    expect(html).toContain('role="table" aria-label="Graph edges"');
    expect(html).toContain('aria-label="Filter Graph nodes"');
    expect(html).toContain('(1 hidden)');
    // The counts: 2 of 3 nodes and 1 of 2 edges are visible.
    expect(html.match(/role="status" aria-live="polite">(\d+)</g)).toEqual(['role="status" aria-live="polite">2<', 'role="status" aria-live="polite">1<']);
  });
});
