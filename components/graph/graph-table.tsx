'use client';

import { useCallback, useId, useMemo } from 'react';
import { DataTable, type DataColumn } from '@/components/ui/data-table';
import { formatMs, formatNumber, formatPercent, formatRate, NO_VALUE } from '@/lib/format';
import { type GraphEdge, type GraphNode, type MeshGraph } from '@/lib/mesh/graph';
import { errorLevel } from './graph-style';
import styles from './graph-table.module.css';

/** URL keys of the two tables' state (filter, sort, facets): graphNodes.q, graphEdges.sort, … */
export const GRAPH_TABLE_URL_KEYS = { nodes: 'graphNodes', edges: 'graphEdges' } as const;

/** Below this width the mTLS column gives way and a plaintext edge says so beside its target. */
const NARROW = 500;

/** Below this width the Kind column gives way and the name says the kind (graph-table.module.css). */
const KIND_COLUMN = 700;

/** The namespace facet's value for unknown callers and external hosts, which have none. */
const OUTSIDE = '(outside the mesh)';

/** A node as the tables name it: `reviews v2`, `reviews` (a service), `api.example.com` (external). */
export const nodeLabel = (node: Pick<GraphNode, 'name' | 'version'>) => (node.version ? `${node.name} ${node.version}` : node.name);

/** Requests/s, or bytes/s for TCP edges (they carry no requests). */
export const edgeRate = (edge: GraphEdge) => (edge.protocol === 'tcp' ? (edge.tcpBytesPerSecond ?? 0) : edge.rps);
export const formatEdgeRate = (edge: GraphEdge) => (edge.protocol === 'tcp' ? `${formatNumber(edge.tcpBytesPerSecond ?? 0)}B/s` : formatRate(edge.rps));

/** Response flags by rate, highest first: `UO 0.5/s, URX 1/s`. */
export const flagsText = (flags: Record<string, number>) =>
  Object.entries(flags)
    .filter(([, rate]) => rate > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([flag, rate]) => `${flag} ${formatRate(rate)}`)
    .join(', ');

/** tripped (UO/UH answers seen), set (a DestinationRule declares one) or none. */
export function breakerState(node: GraphNode): 'tripped' | 'set' | 'none' {
  if (node.tripped && node.tripped.uo + node.tripped.uh > 0) return 'tripped';
  return node.decoration.breaker ? 'set' : 'none';
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function findingsText(node: GraphNode): string {
  const f = node.decoration.findings;
  if (!f) return '';
  return [f.error && plural(f.error, 'error', 'errors'), f.warning && plural(f.warning, 'warning', 'warnings'), f.info && `${f.info} info`]
    .filter(Boolean)
    .join(', ');
}

/** An error share, coloured as the canvas colours edges (graph-style's levels). */
const ErrorPercent = ({ ratio }: { ratio: number }) => {
  const level = errorLevel(ratio);
  // The level in words too: colour alone tells a screen reader nothing.
  return (
    <span className={level === 'ok' ? undefined : styles[level]}>
      {formatPercent(ratio)}
      {level !== 'ok' && <span className="visually-hidden">{level === 'bad' ? ' (error level)' : ' (warning level)'}</span>}
    </span>
  );
};

function NodeName({ node }: { node: GraphNode }) {
  const tripped = breakerState(node) === 'tripped';
  return (
    <span className={styles.name} title={node.host ?? node.name}>
      <span className={styles.label}>{node.name}</span>
      {node.kind !== 'workload' && <span className={`${styles.kind} ${styles.belowKindColumn}`}>{node.kind}</span>}
      {tripped && <span className={`${styles.tag} ${styles.tagBad}`}>tripped</span>}
      {node.decoration.emergency && <span className={`${styles.tag} ${styles.tagWarn}`}>emergency</span>}
    </span>
  );
}

function Breaker({ node }: { node: GraphNode }) {
  const state = breakerState(node);
  if (state === 'tripped') {
    const { uo, uh } = node.tripped!;
    const detail = [uo > 0 && `UO ${formatRate(uo)}`, uh > 0 && `UH ${formatRate(uh)}`].filter(Boolean).join(', ');
    return <span className={styles.bad}>Tripped ({detail})</span>;
  }
  return state === 'set' ? <>Set</> : <span className={styles.muted}>{NO_VALUE}</span>;
}

/** The share over mutual TLS, and a written warning when some of it is plaintext. */
function MtlsShare({ mtls }: { mtls: number | null }) {
  if (mtls === null)
    return (
      <span className={styles.muted} title="No destination proxy reported the connection's security">
        not reported
      </span>
    );
  if (mtls >= 1) return <>{formatPercent(mtls)}</>;
  return (
    <span className={styles.warn}>
      <span aria-hidden="true">⚠ </span>plaintext {formatPercent(1 - mtls)}
    </span>
  );
}

export function nodeColumns(): DataColumn<GraphNode>[] {
  return [
    { id: 'kind', header: 'Kind', value: (n) => n.kind, facet: true, width: '5.5rem', hideBelow: KIND_COLUMN, cell: (n) => n.kind },
    {
      id: 'namespace',
      header: 'Namespace',
      value: (n) => n.namespace || OUTSIDE,
      facet: true,
      width: 'minmax(6rem, 0.8fr)',
      hideBelow: 900,
      cell: (n) => n.namespace || <span className={styles.muted}>{NO_VALUE}</span>,
    },
    { id: 'name', header: 'App / name', value: (n) => `${n.name} ${n.kind}`, width: 'minmax(7rem, 1.5fr)', cell: (n) => <NodeName node={n} /> },
    {
      id: 'version',
      header: 'Version',
      value: (n) => n.version ?? '',
      width: 'minmax(5rem, 0.8fr)',
      cell: (n) => n.version ?? <span className={styles.muted}>{NO_VALUE}</span>,
    },
    { id: 'inRps', header: 'In rps', value: (n) => n.traffic.inRps, align: 'end', width: '5rem', cell: (n) => formatRate(n.traffic.inRps) },
    { id: 'outRps', header: 'Out rps', value: (n) => n.traffic.outRps, align: 'end', width: '5rem', hideBelow: 700, cell: (n) => formatRate(n.traffic.outRps) },
    {
      id: 'errors',
      header: 'Error %',
      value: (n) => n.traffic.errorRatio,
      align: 'end',
      width: '5rem',
      hideBelow: NARROW,
      cell: (n) => <ErrorPercent ratio={n.traffic.errorRatio} />,
    },
    {
      id: 'mtlsMode',
      header: 'mTLS mode',
      value: (n) => n.decoration.mtlsMode ?? 'not known',
      width: '6.5rem',
      hideBelow: 1000,
      cell: (n) => n.decoration.mtlsMode ?? <span className={styles.muted}>{NO_VALUE}</span>,
    },
    { id: 'breaker', header: 'Breaker', value: breakerState, facet: true, width: 'minmax(6rem, 1fr)', hideBelow: 800, cell: (n) => <Breaker node={n} /> },
    {
      id: 'findings',
      header: 'Findings',
      value: (n) => findingsText(n),
      width: 'minmax(6rem, 1fr)',
      hideBelow: 1100,
      cell: (n) => findingsText(n) || <span className={styles.muted}>{NO_VALUE}</span>,
    },
  ];
}

/** One end of an edge: its label, and its kind unless a workload. */
function EndCell({ node, id }: { node: GraphNode | undefined; id: string }) {
  if (!node) return <>{id}</>;
  return (
    <span className={styles.name} title={node.namespace ? `${node.namespace}/${nodeLabel(node)}` : undefined}>
      <span className={styles.label}>{nodeLabel(node)}</span>
      {node.kind !== 'workload' && <span className={styles.kind}>{node.kind}</span>}
    </span>
  );
}

export function edgeColumns(nodesById: ReadonlyMap<string, GraphNode>): DataColumn<GraphEdge>[] {
  const end = (id: string) => nodesById.get(id);
  const endText = (id: string) => {
    const node = end(id);
    return node ? `${nodeLabel(node)} ${node.kind}` : id;
  };
  return [
    {
      id: 'from',
      header: 'From',
      value: (e) => endText(e.source),
      width: 'minmax(5.5rem, 1.5fr)',
      cell: (e) => <EndCell node={end(e.source)} id={e.source} />,
    },
    {
      id: 'to',
      header: 'To',
      value: (e) => endText(e.target),
      width: 'minmax(5.5rem, 1.5fr)',
      cell: (e) => (
        <span className={styles.stack}>
          <EndCell node={end(e.target)} id={e.target} />
          {e.mtls !== null && e.mtls < 1 && (
            <span className={`${styles.narrowOnly} ${styles.warn}`}>
              <span aria-hidden="true">⚠ </span>plaintext
            </span>
          )}
        </span>
      ),
    },
    { id: 'protocol', header: 'Protocol', value: (e) => e.protocol, facet: true, width: '4.75rem', hideBelow: 700, cell: (e) => e.protocol },
    { id: 'rate', header: 'Rate', value: edgeRate, align: 'end', width: '5.25rem', cell: formatEdgeRate },
    {
      id: 'errors4xx',
      header: '4xx %',
      value: (e) => e.errors4xx,
      align: 'end',
      width: '4.5rem',
      hideBelow: 900,
      cell: (e) => <ErrorPercent ratio={e.errors4xx} />,
    },
    {
      id: 'errors5xx',
      header: '5xx %',
      value: (e) => e.errors5xx,
      align: 'end',
      width: '4.5rem',
      hideBelow: 700,
      cell: (e) => <ErrorPercent ratio={e.errors5xx} />,
    },
    { id: 'p95', header: 'P95', value: (e) => e.p95 ?? -1, align: 'end', width: '5rem', hideBelow: 800, cell: (e) => formatMs(e.p95) },
    { id: 'mtls', header: 'mTLS', value: (e) => e.mtls ?? -1, width: 'minmax(6.5rem, 0.8fr)', hideBelow: NARROW, cell: (e) => <MtlsShare mtls={e.mtls} /> },
    {
      id: 'flags',
      header: 'Flags',
      value: (e) => flagsText(e.flags),
      width: 'minmax(5rem, 1fr)',
      hideBelow: 1100,
      cell: (e) => flagsText(e.flags) || <span className={styles.muted}>{NO_VALUE}</span>,
    },
    { id: 'share', header: 'Share', value: (e) => e.share ?? -1, align: 'end', width: '4.5rem', hideBelow: 1000, cell: (e) => formatPercent(e.share) },
  ];
}

/**
 * The graph's text alternative: the visible nodes and edges as two keyboard-reachable tables
 * (the shared DataTable, state in the URL). Enter or a click on a row selects it, as a click on
 * the canvas does; the selected row is marked aria-selected.
 */
export function GraphTable({
  graph,
  visibleNodes,
  visibleEdges,
  selectedId,
  onSelect,
}: {
  graph: MeshGraph;
  visibleNodes: Set<string>;
  visibleEdges: Set<string>;
  selectedId?: string;
  onSelect(id: string): void;
}) {
  const nodesById = useMemo(() => new Map(graph.nodes.map((n) => [n.id, n])), [graph.nodes]);
  const nodeCols = useMemo(() => nodeColumns(), []);
  const edgeCols = useMemo(() => edgeColumns(nodesById), [nodesById]);
  return (
    <div className={styles.tables}>
      <ElementTable of="nodes" all={graph.nodes} visible={visibleNodes} columns={nodeCols} selectedId={selectedId} onSelect={onSelect} />
      <ElementTable of="edges" all={graph.edges} visible={visibleEdges} columns={edgeCols} selectedId={selectedId} onSelect={onSelect} />
    </div>
  );
}

/** One of the two tables: its heading (with how many Hide removed) and the shared DataTable of the visible rows. */
function ElementTable<Row extends { id: string }>({
  of,
  all,
  visible,
  columns,
  selectedId,
  onSelect,
}: {
  of: 'nodes' | 'edges';
  all: Row[];
  visible: Set<string>;
  columns: DataColumn<Row>[];
  selectedId?: string;
  onSelect(id: string): void;
}) {
  const title = of === 'nodes' ? 'Nodes' : 'Edges';
  const noun = of === 'nodes' ? 'node' : 'edge';
  const headingId = useId();
  const rows = useMemo(() => all.filter((row) => visible.has(row.id)), [all, visible]);
  const select = useCallback((row: Row) => onSelect(row.id), [onSelect]);
  const hidden = all.length - rows.length;
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <h2 id={headingId} className={styles.heading}>
        {title} {hidden > 0 && <span className={styles.muted}>({hidden} hidden)</span>}
      </h2>
      <DataTable<Row>
        label={`Graph ${title.toLowerCase()}`}
        rows={rows}
        columns={columns}
        getRowId={(row) => row.id}
        urlKey={GRAPH_TABLE_URL_KEYS[of]}
        openId={selectedId}
        onOpen={select}
        rowHeight={40}
        empty={
          all.length === 0 ? 'No traffic in this window.' : rows.length === 0 ? `Every ${noun} is hidden: change Hide.` : `No ${noun} matches this filter.`
        }
      />
    </section>
  );
}
