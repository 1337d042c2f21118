'use client';

import dynamic from 'next/dynamic';
import Link from 'next/link';
import { Fragment, useEffect, useId, type ReactNode } from 'react';
import { useBreakers } from '@/components/resilience/breaker-state';
import { formatPercent, formatRate } from '@/lib/format';
import { errorShare, type GraphEdge, type GraphNode, type GraphWindow, type MeshGraph } from '@/lib/mesh/graph';
import { findingsHref } from '@/lib/navigation';
import {
  breakerReading,
  describeFlags,
  edgeFacts,
  mtlsReading,
  nodeErrorRatio,
  nodeLabel,
  nodesById,
  nodeTitle,
  objectRef,
  ruleHref,
  serviceOf,
  splitHref,
  splitRows,
  tracesHref,
} from './side-panel-model';
import styles from './side-panel.module.css';

// The charts (recharts) and the policies (the Security API) load when a selection first needs them.
const SidePanelCharts = dynamic(() => import('./side-panel-charts').then((m) => m.SidePanelCharts), {
  ssr: false,
  loading: () => <p className="muted">Loading charts…</p>,
});
const SidePanelPolicies = dynamic(() => import('./side-panel-policies').then((m) => m.SidePanelPolicies), {
  ssr: false,
  loading: () => <p className="muted">Loading policies…</p>,
});

export interface GraphSidePanelProps {
  graph: MeshGraph;
  /** A node's or an edge's id (lib/mesh/graph.ts nodeId/edgeId). */
  selectedId: string;
  window: GraphWindow;
  onClose(): void;
}

/** The Traces page's lookback for the charts' window: the graph's short windows read the last 15 minutes. */
const lookbackFor = (window: GraphWindow) => (window === '1h' ? '1h' : '15m');

/**
 * Details of the graph's selected node or edge, next to the canvas (a bottom sheet on phones): live
 * numbers, RED charts, routes with their split, policies, breakers, traces and findings. A
 * complementary region, not a modal: the graph stays usable while it is open; Escape closes it.
 */
export function GraphSidePanel({ graph, selectedId, window, onClose }: GraphSidePanelProps) {
  const titleId = useId();
  const node = nodesById(graph).get(selectedId);
  const edge = node ? undefined : graph.edges.find((e) => e.id === selectedId);
  const title = node ? nodeTitle(node, graph.groupBy) : edge ? edgeTitle(graph, edge) : 'Selection gone';

  // Escape with nothing focused closes it too (focus inside the panel is handled on the panel).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && document.activeElement === document.body) onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <aside
      className={styles.panel}
      aria-labelledby={titleId}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <header className={styles.header}>
        <div className={styles.heading}>
          <h2 id={titleId} className={styles.title} tabIndex={-1}>
            {edge && <span className={styles.kind}>Edge · {edge.protocol.toUpperCase()} </span>}
            {title}
          </h2>
        </div>
        <button type="button" className="button button-quiet button-small" onClick={onClose}>
          Close
        </button>
      </header>
      {/* A new selection starts at the top. */}
      <div key={selectedId} className={styles.content}>
        {node ? (
          <NodeDetails graph={graph} node={node} window={window} />
        ) : edge ? (
          <EdgeDetails graph={graph} edge={edge} window={window} />
        ) : (
          <p className="state state-empty" role="status">
            The selected node or edge is no longer in the graph: it had no traffic in the last refresh, or the namespaces or grouping changed. Select another
            one.
          </p>
        )}
      </div>
    </aside>
  );
}

function edgeTitle(graph: MeshGraph, edge: GraphEdge) {
  const byId = nodesById(graph);
  return `${nodeLabel(byId.get(edge.source), edge.source)} → ${nodeLabel(byId.get(edge.target), edge.target)}`;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <h3 id={id} className={styles.sectionTitle}>
        {title}
      </h3>
      {children}
    </section>
  );
}

/** The service node whose routes and rules shape a node: itself, or the service that sends it its requests. */
function routedService(graph: MeshGraph, node: GraphNode): GraphNode | undefined {
  if (node.kind === 'service') return node;
  const byId = nodesById(graph);
  const via = graph.edges.map((e) => (e.target === node.id ? byId.get(e.source) : undefined)).find((n) => n?.kind === 'service');
  return via ?? (node.decoration.virtualServices?.length || node.decoration.destinationRules?.length ? node : undefined);
}

function NodeDetails({ graph, node, window }: { graph: MeshGraph; node: GraphNode; window: GraphWindow }) {
  const { traffic } = node;
  const service = routedService(graph, node);
  const inMesh = Boolean(node.namespace) && node.kind !== 'external';
  // Routes and circuit breakers shape the requests into services and the workloads behind them, not out of gateways.
  const routed = node.kind === 'service' || node.kind === 'workload';
  const lookback = lookbackFor(window);
  const traces = tracesHref(node, lookback, false);
  const errorRatio = nodeErrorRatio(graph, node);
  const failed = errorRatio > 0 ? tracesHref(node, lookback, true) : undefined;
  return (
    <>
      <dl className={`facts ${styles.numbers}`} aria-label={`Live numbers over ${graph.window}`}>
        <dt>In</dt>
        <dd>{formatRate(traffic.inRps)}</dd>
        <dt>Out</dt>
        <dd>{formatRate(traffic.outRps)}</dd>
        <dt>Errors</dt>
        <dd className={errorRatio > 0 ? 'tone-bad' : undefined}>{formatPercent(errorRatio)}</dd>
      </dl>
      <Section title="Rate, errors, latency">
        <SidePanelCharts key={node.id} id={node.id} groupBy={graph.groupBy} tcp={false} what={nodeLabel(node, node.id)} />
      </Section>
      {routed && (
        <Section title="Routes">{service ? <Routes graph={graph} service={service} /> : <p className="state state-empty">No service routes to it.</p>}</Section>
      )}
      {inMesh && (
        <Section title="Policies">
          <SidePanelPolicies node={node} groupBy={graph.groupBy} />
        </Section>
      )}
      {routed && (
        <Section title="Circuit breaker">
          <Breaker node={node} service={service} />
        </Section>
      )}
      {traces && (
        <Section title="Traces">
          <p className={styles.links}>
            <Link href={traces}>Traces of {serviceOf(node)}</Link>
            {failed && <Link href={failed}>Failed traces ({formatPercent(errorRatio)} errors)</Link>}
          </p>
        </Section>
      )}
      <Findings node={node} service={service} />
    </>
  );
}

/** The VirtualServices and DestinationRules of a service, its declared weights next to the observed shares. */
function Routes({ graph, service }: { graph: MeshGraph; service: GraphNode }) {
  const { virtualServices = [], destinationRules = [] } = service.decoration;
  const rows = splitRows(graph, service);
  if (!virtualServices.length && !destinationRules.length && rows.length < 2)
    return <p className="state state-empty">No VirtualService or DestinationRule for {service.name}: Kubernetes balances its requests.</p>;
  return (
    <>
      {rows.length > 0 && (
        <table className={`table ${styles.split}`}>
          <caption>Split of {service.name}</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Declared</th>
              <th scope="col">Observed</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.version}>
                <th scope="row">{r.version}</th>
                <td>{r.declared === null ? '–' : `${r.declared}%`}</td>
                <td>{r.observed === null ? 'no traffic' : formatPercent(r.observed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {rows.length > 0 && (graph.groupBy === 'app' || graph.groupBy === 'service') && (
        <p className="muted">The observed shares by version show when the graph is grouped by version or workload.</p>
      )}
      <ul className={styles.list}>
        {virtualServices.map((ref) => (
          <li key={ref}>
            VirtualService <Link href={splitHref(ref, service.namespace)}>{ref}</Link>: open its split with the sliders
          </li>
        ))}
        {destinationRules.map((ref) => (
          <li key={ref}>
            DestinationRule <Link href={ruleHref(ref, service.namespace)}>{ref}</Link>
          </li>
        ))}
      </ul>
    </>
  );
}

/** Configured or not, tripped or not: the graph's UO/UH rates and the Resilience page's live ejected hosts. */
function Breaker({ node, service }: { node: GraphNode; service: GraphNode | undefined }) {
  const breakers = useBreakers(node.namespace);
  const live = service ? breakers.of(service.namespace, service.name) : undefined;
  // A version's breaker is its service's DestinationRule, and UO/UH may be counted toward either.
  const reading = breakerReading(
    {
      ...node,
      tripped: node.tripped ?? service?.tripped,
      decoration: { ...node.decoration, breaker: node.decoration.breaker ?? service?.decoration.breaker },
    },
    live?.ejectedHosts,
  );
  const rules = service?.decoration.destinationRules ?? [];
  return (
    <>
      <p className={reading.tripped ? 'notice-inline bad' : undefined}>
        <strong className={reading.tripped ? 'tone-bad' : 'tone-ok'}>{reading.tripped ? 'Tripped' : 'Not tripped'}</strong>: {reading.evidence}.
      </p>
      <p>{reading.configured}.</p>
      {breakers.error && <p className="muted">Live breaker numbers unavailable: {breakers.error}</p>}
      {rules.length > 0 && (
        <p className={styles.links}>
          {rules.map((ref) => (
            <Link key={ref} href={ruleHref(ref, node.namespace)}>
              Breaker rule {ref} on Resilience
            </Link>
          ))}
        </p>
      )}
    </>
  );
}

/** The validation findings of the node's objects, each object linked to its findings. */
function Findings({ node, service }: { node: GraphNode; service: GraphNode | undefined }) {
  const f = node.decoration.findings ?? (service !== node ? service?.decoration.findings : undefined);
  if (!f || f.error + f.warning + f.info === 0) return null;
  const owner = service ?? node;
  const objects = [
    ...(owner.decoration.virtualServices ?? []).map((ref) => ({ kind: 'VirtualService', ...objectRef(ref, owner.namespace) })),
    ...(owner.decoration.destinationRules ?? []).map((ref) => ({ kind: 'DestinationRule', ...objectRef(ref, owner.namespace) })),
  ];
  const counts = [
    f.error && `${f.error} error${f.error === 1 ? '' : 's'}`,
    f.warning && `${f.warning} warning${f.warning === 1 ? '' : 's'}`,
    f.info && `${f.info} info`,
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <Section title="Validation findings">
      <p className={f.error ? 'tone-bad' : 'tone-warn'}>{counts}</p>
      <ul className={styles.list}>
        {objects.map((o) => (
          <li key={`${o.kind}/${o.namespace}/${o.name}`}>
            <Link href={findingsHref(o)}>
              Findings of {o.kind} {o.namespace}/{o.name}
            </Link>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function EdgeDetails({ graph, edge, window }: { graph: MeshGraph; edge: GraphEdge; window: GraphWindow }) {
  const byId = nodesById(graph);
  const source = byId.get(edge.source);
  const target = byId.get(edge.target);
  const mtls = mtlsReading(edge);
  const flags = describeFlags(edge.flags);
  const service = source?.kind === 'service' ? source : target?.kind === 'service' ? target : undefined;
  const errors = errorShare(edge);
  const traced = target && target.kind !== 'external' ? target : source;
  const lookback = lookbackFor(window);
  const traces = traced ? tracesHref(traced, lookback, false) : undefined;
  const failed = traced && errors > 0 ? tracesHref(traced, lookback, true) : undefined;
  return (
    <>
      <dl className="facts">
        <dt>From</dt>
        <dd>{source ? nodeTitle(source, graph.groupBy) : edge.source}</dd>
        <dt>To</dt>
        <dd>{target ? nodeTitle(target, graph.groupBy) : edge.target}</dd>
        {edgeFacts(edge).map((f) => (
          <Fragment key={f.term}>
            <dt>{f.term}</dt>
            <dd className={f.term === 'Errors' && errors > 0 ? 'tone-bad' : undefined}>{f.value}</dd>
          </Fragment>
        ))}
        <dt>mTLS</dt>
        <dd className={mtls.plaintext ? 'tone-warn' : undefined}>{mtls.text}</dd>
        {edge.share !== undefined && source && (
          <>
            <dt>Share</dt>
            <dd>
              {formatPercent(edge.share)} of {source.name}&apos;s requests
            </dd>
          </>
        )}
      </dl>
      {mtls.plaintext && (
        <p className="notice-inline warn" role="note">
          Plaintext: part of this traffic is not encrypted or authenticated by mutual TLS (a caller without a sidecar, or a PERMISSIVE or DISABLE mode).
        </p>
      )}
      <Section title="Response flags">
        {flags.length === 0 ? (
          <p className="state state-empty">No response flags: Envoy answered every request normally.</p>
        ) : (
          <ul className={styles.flags}>
            {flags.map((f) => (
              <li key={f.flag} className={f.breaker ? styles.breakerFlag : undefined}>
                <code>{f.flag}</code> {formatRate(f.rps)}: {f.meaning}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Rate, errors, latency">
        <SidePanelCharts key={edge.id} id={edge.id} groupBy={graph.groupBy} tcp={edge.protocol === 'tcp'} what="this edge" />
      </Section>
      {Boolean(service?.decoration.virtualServices?.length || traces) && (
        <Section title="Links">
          <p className={styles.links}>
            {service?.decoration.virtualServices?.map((ref) => (
              <Link key={ref} href={splitHref(ref, service.namespace)}>
                Split of {service.name} ({ref})
              </Link>
            ))}
            {traces && <Link href={traces}>Traces of {serviceOf(traced!)}</Link>}
            {failed && <Link href={failed}>Failed traces</Link>}
          </p>
        </Section>
      )}
    </>
  );
}
