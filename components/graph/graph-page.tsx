'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import { useCallback, useDeferredValue, useMemo, useState } from 'react';
import { GRAPH_WINDOWS, GROUP_BYS, type GraphWindow, type GroupBy, type MeshGraph } from '@/lib/mesh/graph';
import { applyGraphFilter, type GraphFilterResult } from '@/lib/mesh/graph-filter';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { graphQuery } from '@/lib/queries/graph';
import { useUrlState } from '@/lib/url-state';
import { GraphLegend } from './graph-legend';
import { GraphToolbar } from './graph-toolbar';
import styles from './graph.module.css';

// Cytoscape and ELK load with this page only, in the browser, after its first paint.
const GraphCanvas = dynamic(() => import('./graph-canvas').then((m) => m.GraphCanvas), {
  ssr: false,
  loading: () => <div className={styles.canvasFrame} />,
});
// The panel and the tables show only once a graph is there: they load meanwhile, off the first load.
const GraphSidePanel = dynamic(() => import('./side-panel').then((m) => m.GraphSidePanel), { ssr: false });
const GraphTable = dynamic(() => import('./graph-table').then((m) => m.GraphTable), { ssr: false });

const REFRESH_MS = 10_000;
const DEFAULT_WINDOW: GraphWindow = '1m';
const DEFAULT_GROUP_BY: GroupBy = 'version';

const oneOf = <T extends string>(choices: readonly T[], value: string, fallback: T): T =>
  (choices as readonly string[]).includes(value) ? (value as T) : fallback;
const NOTHING: GraphFilterResult = { visibleNodes: new Set(), visibleEdges: new Set(), found: new Set() };

/** Graph: who calls whom in the selected namespace (the header's select), live, with Find, Hide, details and a table of the same. */
export function GraphPage() {
  const [namespace] = useUrlState(NAMESPACE_PARAM);
  const [windowParam, setWindow] = useUrlState('window', DEFAULT_WINDOW);
  const [groupByParam, setGroupBy] = useUrlState('groupBy', DEFAULT_GROUP_BY);
  const [find, setFind] = useUrlState('find');
  const [hide, setHide] = useUrlState('hide');
  const [selectedId, setSelected] = useUrlState('selected');
  const [paused, setPaused] = useState(false);
  const window = oneOf(GRAPH_WINDOWS, windowParam, DEFAULT_WINDOW);
  const groupBy = oneOf(GROUP_BYS, groupByParam, DEFAULT_GROUP_BY);

  const query = useQuery(graphQuery({ namespace, window, groupBy, refetchInterval: paused ? false : REFRESH_MS }));
  const graph = query.data;
  // Typing in Find or Hide stays responsive at a thousand nodes: the filter follows a keystroke behind.
  const filters = useDeferredValue(useMemo(() => ({ find, hide }), [find, hide]));
  const filtered = useMemo(() => (graph ? applyGraphFilter(graph, filters) : NOTHING), [graph, filters]);
  const select = useCallback((id: string) => setSelected(id || undefined), [setSelected]);
  const close = useCallback(() => setSelected(undefined), [setSelected]);

  const failed = query.isError ? query.error.message : undefined;
  const where = namespace ? `namespace ${namespace}` : 'any namespace';
  return (
    <>
      <h1>Graph</h1>
      <p className="muted">
        Who calls whom in {where}, from Istio&apos;s standard telemetry: edge width is the request rate, colour the error share, a padlock marks mutual TLS and
        a warning plaintext. Select a node or an edge for its numbers, routes, policies and traces.
      </p>
      <GraphToolbar
        window={window}
        onWindow={setWindow}
        groupBy={groupBy}
        onGroupBy={setGroupBy}
        find={find}
        onFind={setFind}
        findError={filtered.findError}
        hide={hide}
        onHide={setHide}
        hideError={filtered.hideError}
        paused={paused}
        onPause={setPaused}
        onRefresh={() => void query.refetch()}
        refreshing={query.isFetching}
        updatedAt={graph ? query.dataUpdatedAt : 0}
      />
      <GraphLegend />
      {graph?.degraded && <DegradedNotice degraded={graph.degraded} />}
      {failed && graph && (
        <p className="notice-inline warn" role="status">
          Could not refresh the graph: {failed} The graph below is from {new Date(graph.generatedAt).toLocaleTimeString()}.
        </p>
      )}
      {failed && !graph ? (
        <div className="state state-error" role="alert">
          <strong>Could not load the graph.</strong> {failed}
        </div>
      ) : graph && graph.nodes.length === 0 ? (
        <p className="state state-empty">
          No traffic in {where} in the last {graph.window}: nothing called a service in that window. Pick a longer window or another namespace.
        </p>
      ) : (
        <div className={`${styles.body} ${selectedId && graph ? styles.withPanel : ''}`}>
          <div className={styles.canvasColumn}>
            {!graph && (
              <p className={`state state-loading ${styles.loading}`} role="status">
                Loading the graph…
              </p>
            )}
            <GraphCanvas
              graph={graph}
              visibleNodes={filtered.visibleNodes}
              visibleEdges={filtered.visibleEdges}
              found={filtered.found}
              selectedId={selectedId}
              onSelect={select}
            />
            {graph && <FoundCount graph={graph} filtered={filtered} active={Boolean(filters.find)} />}
          </div>
          {selectedId && graph && <GraphSidePanel graph={graph} selectedId={selectedId} window={window} onClose={close} />}
        </div>
      )}
      {graph && graph.nodes.length > 0 && (
        <GraphTable graph={graph} visibleNodes={filtered.visibleNodes} visibleEdges={filtered.visibleEdges} selectedId={selectedId} onSelect={select} />
      )}
    </>
  );
}

function DegradedNotice({ degraded }: { degraded: NonNullable<MeshGraph['degraded']> }) {
  return (
    <>
      {degraded.decoration && (
        <p className="notice-inline warn" role="status">
          Routes, rules and policies may be missing from the graph, its traffic is complete: {degraded.decoration}
        </p>
      )}
      {/* Findings come from the configuration analysis, which the graph never starts: a note, not a warning. */}
      {degraded.findings && <p className="hint">Findings: {degraded.findings}</p>}
    </>
  );
}

/** How many nodes and edges Find matched, for those who cannot see the highlight. */
function FoundCount({ graph, filtered, active }: { graph: MeshGraph; filtered: GraphFilterResult; active: boolean }) {
  if (!active || filtered.findError) return null;
  const nodes = graph.nodes.filter((n) => filtered.found.has(n.id)).length;
  return (
    <p className="hint" role="status">
      Find matches {nodes} {nodes === 1 ? 'node' : 'nodes'} and {filtered.found.size - nodes} {filtered.found.size - nodes === 1 ? 'edge' : 'edges'}.
    </p>
  );
}
