'use client';

// The service graph drawn with Cytoscape.js (canvas renderer) and laid out by ELK in a web
// worker. Loaded only by the Graph page, in the browser (graph-page.tsx imports it with
// next/dynamic), so no other page carries either library.
//
// Positions stay put across refreshes: a refresh with the same nodes only updates the elements'
// data (rates, colours, labels); the layout runs again only when the set of nodes changes.

import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from 'cytoscape';
import ELK, { type ELK as ElkApi } from 'elkjs/lib/elk-api.js';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { GraphEdge, GraphNode, MeshGraph } from '@/lib/mesh/graph';
import { formatPercent, formatRate } from '@/lib/format';
import { boxesOf, elkGraph, positionsOf, type Positions } from './graph-layout';
import { drawEdgeMarkers } from './edge-markers';
import { edgeLevel, edgeWidth, graphStylesheet, nodeLevel, readColours } from './graph-style';
import styles from './graph.module.css';

export interface GraphCanvasProps {
  /** undefined while the first answer is on its way (the layout worker starts meanwhile). */
  graph: MeshGraph | undefined;
  visibleNodes: ReadonlySet<string>;
  visibleEdges: ReadonlySet<string>;
  found: ReadonlySet<string>;
  /** The selected node's or edge's id ('' for none). */
  selectedId: string;
  onSelect(id: string): void;
}

/** The mark the bench and the e2e specs wait for: the graph's nodes are on the canvas. */
const DRAWN_MARK = 'meshdeck:graph-drawn';
const ZOOM_STEP = 1.25;

const nodeText = (node: GraphNode) =>
  node.version ? `${node.name} ${node.version}` : node.kind === 'gateway' ? `${node.name} (${node.namespace})` : node.name;

function nodeElement(node: GraphNode, groupBy: MeshGraph['groupBy']): ElementDefinition {
  const { namespace, app } = boxesOf(node, groupBy);
  return {
    group: 'nodes',
    data: { id: node.id, parent: app ?? namespace, label: groupBy === 'version' && node.version ? node.version : nodeText(node), kind: node.kind },
    classes: [node.kind, nodeLevel(node)],
  };
}

/** Edge label: a service's split share, else the rate (both shown only when zoomed in far enough to read). */
const edgeLabel = (edge: GraphEdge) =>
  edge.share !== undefined ? formatPercent(edge.share, 2) : edge.protocol === 'tcp' ? '' : edge.rps > 0 ? formatRate(edge.rps) : '';

function edgeElement(edge: GraphEdge): ElementDefinition {
  return {
    group: 'edges',
    data: { id: edge.id, source: edge.source, target: edge.target, width: edgeWidth(edge.rps), label: edgeLabel(edge), mtls: edge.mtls },
    classes: [edgeLevel(edge), edge.protocol === 'tcp' ? 'tcp' : '', edge.share !== undefined ? 'share' : ''].filter(Boolean),
  };
}

/** The namespace and app boxes the graph's nodes sit in, parents before children. */
function boxElements(graph: MeshGraph): ElementDefinition[] {
  const boxes = new Map<string, ElementDefinition>();
  for (const node of graph.nodes) {
    const { namespace, app } = boxesOf(node, graph.groupBy);
    if (namespace && !boxes.has(namespace))
      boxes.set(namespace, { group: 'nodes', data: { id: namespace, label: node.namespace }, classes: ['namespace'], selectable: false });
    if (app && !boxes.has(app)) boxes.set(app, { group: 'nodes', data: { id: app, parent: namespace, label: node.app }, classes: ['app'], selectable: false });
  }
  return [...boxes.values()].sort((a, b) => Number(Boolean(a.data.parent)) - Number(Boolean(b.data.parent)));
}

/** What decides the layout: the nodes and the boxes they sit in. */
const layoutKey = (graph: MeshGraph) => `${graph.groupBy}\n${graph.nodes.map((n) => n.id).join('\n')}`;

/** The next node from `from` in an arrow's direction: the nearest ahead, straying sideways costing double. */
function nodeToward(cy: Core, from: NodeSingular | undefined, key: string): NodeSingular | undefined {
  const candidates = cy.nodes('[kind]').filter((n) => n.visible());
  if (!from) return candidates.first().nonempty() ? (candidates.first() as NodeSingular) : undefined;
  const origin = from.position();
  const [ax, ay] = key === 'ArrowRight' ? [1, 0] : key === 'ArrowLeft' ? [-1, 0] : key === 'ArrowDown' ? [0, 1] : [0, -1];
  let best: NodeSingular | undefined;
  let bestScore = Infinity;
  candidates.forEach((node) => {
    if (node.same(from)) return;
    const { x, y } = node.position();
    const ahead = (x - origin.x) * ax + (y - origin.y) * ay;
    if (ahead <= 0) return;
    const aside = Math.abs((x - origin.x) * ay) + Math.abs((y - origin.y) * ax);
    const score = ahead + 2 * aside;
    if (score < bestScore) [best, bestScore] = [node, score];
  });
  return best;
}

/** The canvas: draws `graph`, keeps it in sync, reports selection; keyboard: arrows, Enter, +, −, 0. */
export function GraphCanvas({ graph, visibleNodes, visibleEdges, found, selectedId, onSelect }: GraphCanvasProps) {
  const container = useRef<HTMLDivElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const cyRef = useRef<Core | null>(null);
  const elkRef = useRef<ElkApi | null>(null);
  const laidOut = useRef('');
  const layoutRun = useRef(0);
  const onSelectRef = useRef(onSelect);
  const [synced, setSynced] = useState(0);
  const [cursor, setCursor] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const helpId = useId();

  useEffect(() => {
    onSelectRef.current = onSelect;
  }, [onSelect]);

  // One Cytoscape instance and one ELK worker for the page's life; the worker starts compiling
  // ELK at once (a tiny layout), while the first answer is still on its way.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const elk = new ELK({ workerFactory: () => new Worker(new URL('./elk.worker.ts', import.meta.url)) });
    void elk.layout({ id: 'warm-up', children: [{ id: 'a', width: 1, height: 1 }] }).catch(() => undefined);
    elkRef.current = elk;
    let colours = readColours();
    const cy = cytoscape({
      container: element,
      style: graphStylesheet(colours),
      // Drawing speed at a thousand nodes: one device pixel per CSS pixel, a cached picture while panning and zooming.
      pixelRatio: 1,
      textureOnViewport: true,
      motionBlur: false,
      boxSelectionEnabled: false,
      autoungrabify: true,
      selectionType: 'single',
      minZoom: 0.02,
      maxZoom: 4,
    });
    cyRef.current = cy;
    cy.on('tap', 'node[kind], edge', (event) => onSelectRef.current(event.target.id()));
    const marker = overlay.current;
    const redraw = () => {
      if (marker) drawEdgeMarkers(cy, marker, colours);
    };
    cy.on('render', redraw);
    const resize = new ResizeObserver(() => {
      if (marker) {
        marker.width = element.clientWidth;
        marker.height = element.clientHeight;
      }
      cy.resize();
      redraw();
    });
    resize.observe(element);
    // The theme toggle sets data-theme; the system's scheme applies when none is set.
    const restyle = () => {
      colours = readColours();
      cy.style(graphStylesheet(colours));
    };
    const theme = new MutationObserver(restyle);
    theme.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', restyle);
    return () => {
      scheme.removeEventListener('change', restyle);
      theme.disconnect();
      resize.disconnect();
      cy.destroy();
      elk.terminateWorker();
      cyRef.current = null;
      elkRef.current = null;
      laidOut.current = '';
    };
  }, []);

  // Each answer: data in place; a layout only when the nodes changed.
  useEffect(() => {
    const cy = cyRef.current;
    const elk = elkRef.current;
    if (!cy || !elk || !graph) return;
    const key = layoutKey(graph);
    const elements = [...boxElements(graph), ...graph.nodes.map((n) => nodeElement(n, graph.groupBy)), ...graph.edges.map(edgeElement)];
    if (key === laidOut.current) {
      cy.batch(() => syncElements(cy, elements));
      setSynced((n) => n + 1);
      return;
    }
    const run = ++layoutRun.current;
    void elk.layout(elkGraph(graph)).then((laid) => {
      if (run !== layoutRun.current || cyRef.current !== cy) return;
      const positions = positionsOf(laid, graph);
      const first = cy.elements().empty();
      cy.batch(() => {
        syncElements(cy, elements, positions);
        cy.nodes('[kind]').forEach((node) => {
          const position = positions[node.id()];
          if (position) node.position(position);
        });
      });
      laidOut.current = key;
      if (first) cy.fit(undefined, 30);
      cy.one('render', () => {
        container.current?.setAttribute('data-graph-drawn', String(graph.nodes.length));
        performance.mark(DRAWN_MARK);
      });
      setSynced((n) => n + 1);
    });
  }, [graph]);

  // Find and Hide: classes only, so positions and the viewport never move.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.nodes('[kind]').forEach((node) => {
        node.toggleClass('hidden', !visibleNodes.has(node.id()));
        node.toggleClass('found', found.has(node.id()));
      });
      cy.edges().forEach((edge) => {
        edge.toggleClass('hidden', !visibleEdges.has(edge.id()));
        edge.toggleClass('found', found.has(edge.id()));
      });
      // Inner boxes first: an app box goes when its versions do, a namespace box when all it holds does.
      const boxes = cy.nodes(':parent').sort((a, b) => b.ancestors().length - a.ancestors().length);
      boxes.forEach((box) => {
        box.toggleClass('hidden', box.children().not('.hidden').empty());
      });
    });
  }, [visibleNodes, visibleEdges, found, synced]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.elements(':selected').unselect();
    if (selectedId) cy.getElementById(selectedId).select();
  }, [selectedId, synced]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.nodes('.cursor').removeClass('cursor');
    if (cursor) cy.getElementById(cursor).addClass('cursor');
  }, [cursor, synced]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const cy = cyRef.current;
    if (!cy || event.altKey || event.ctrlKey || event.metaKey) return;
    const centre = { x: cy.width() / 2, y: cy.height() / 2 };
    if (event.key.startsWith('Arrow')) {
      const start = cy.getElementById(cursor || selectedId);
      const next = nodeToward(cy, start.nonempty() && start.isNode() ? start : undefined, event.key);
      if (next) {
        setCursor(next.id());
        setAnnouncement(describeNode(next));
        if (!inView(cy, next)) cy.center(next);
      }
    } else if (event.key === 'Enter' && (cursor || selectedId)) onSelect(cursor || selectedId);
    else if (event.key === '+' || event.key === '=') cy.zoom({ level: cy.zoom() * ZOOM_STEP, renderedPosition: centre });
    else if (event.key === '-') cy.zoom({ level: cy.zoom() / ZOOM_STEP, renderedPosition: centre });
    else if (event.key === '0') cy.fit(cy.elements(':visible'), 30);
    else return;
    event.preventDefault();
  };

  const nodes = graph ? visibleNodes.size : 0;
  const edges = graph ? visibleEdges.size : 0;
  return (
    <div className={styles.canvasFrame}>
      <div
        ref={container}
        className={styles.canvas}
        role="application"
        aria-roledescription="service graph"
        aria-label={graph ? `Service graph: ${nodes} nodes, ${edges} edges` : 'Service graph: loading'}
        aria-describedby={helpId}
        tabIndex={0}
        onKeyDown={onKeyDown}
      />
      <canvas ref={overlay} className={styles.markers} aria-hidden="true" />
      <p id={helpId} className="visually-hidden">
        Arrow keys move between nodes, Enter opens the details of the node, plus and minus zoom, 0 fits the graph. The tables below list the same nodes and
        edges.
      </p>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
    </div>
  );
}

/** Adds, removes and updates elements to match `elements`; new leaves go where `positions` says. */
function syncElements(cy: Core, elements: ElementDefinition[], positions?: Positions) {
  const wanted = new Set(elements.map((e) => e.data.id));
  cy.elements()
    .filter((e) => !wanted.has(e.id()))
    .remove();
  const added: ElementDefinition[] = [];
  for (const element of elements) {
    const id = element.data.id!;
    const existing = cy.getElementById(id);
    if (existing.empty()) {
      const position = positions?.[id];
      added.push(position ? { ...element, position } : element);
      continue;
    }
    if (existing.isNode() && (existing.data('parent') ?? undefined) !== element.data.parent) existing.move({ parent: element.data.parent ?? null });
    existing.data(element.data);
    existing.classes(element.classes as string[]);
  }
  if (added.length) cy.add(added);
}

function inView(cy: Core, node: NodeSingular) {
  const box = node.renderedBoundingBox();
  return box.x1 >= 0 && box.y1 >= 0 && box.x2 <= cy.width() && box.y2 <= cy.height();
}

function describeNode(node: NodeSingular): string {
  const parent = node.parent().nonempty() ? ` in ${node.parent().data('label')}` : '';
  return `${node.data('label')}, ${node.data('kind')}${parent}: ${node.incomers('edge').length} calls in, ${node.outgoers('edge').length} out`;
}
