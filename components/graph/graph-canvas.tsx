'use client';

// The service graph drawn with Cytoscape.js (canvas renderer) and laid out by ELK in a web
// worker. Loaded only by the Graph page, in the browser (graph-page.tsx imports it with
// next/dynamic), so no other page carries either library.
//
// Positions stay put across refreshes: a refresh with the same nodes only updates what changed
// (widths, colours); the layout runs again only when the set of nodes changes.
//
// Measured at 1,000 workloads, 3,000 edges and 50 namespaces, and why it is drawn this way:
// - namespace and app boxes are plain nodes sized from ELK's own geometry, not Cytoscape
//   compound nodes: with compounds, every style property applied to any element walks its
//   parents, descendants and their edges (Collection allocations), which took seconds for the
//   first frame and again on every refresh; the boxes never move, so nothing needs compounds;
// - rates, shares and the mTLS marks are drawn on an overlay canvas (edge-overlay.ts) from
//   element scratch data, so a refresh whose rates moved restyles no element.

import cytoscape, { type Core, type ElementDefinition, type NodeSingular, type SingularElementArgument } from 'cytoscape';
import ELK, { type ELK as ElkApi } from 'elkjs/lib/elk-api.js';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { GraphEdge, GraphNode, MeshGraph } from '@/lib/mesh/graph';
import { formatPercent, formatRate } from '@/lib/format';
import { boxesOf, elkGraph, layoutOf, warmUpGraph, type Layout } from './graph-layout';
import { drawEdgeOverlay, type EdgeOverlay } from './edge-overlay';
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

const nodeText = (node: GraphNode) => (node.kind === 'gateway' ? `${node.name} (${node.namespace})` : node.name);

/** One element as the canvas holds it: what the stylesheet reads (data, classes) and what the overlay draws (scratch). */
interface CanvasElement {
  group: 'nodes' | 'edges';
  data: Record<string, string | number> & { id: string };
  classes: string[];
  overlay?: EdgeOverlay;
}

function nodeElement(node: GraphNode, groupBy: MeshGraph['groupBy']): CanvasElement {
  // In its app's box a version is named by its version alone.
  const label = groupBy === 'version' && node.version && boxesOf(node, groupBy).app ? node.version : nodeText(node);
  return { group: 'nodes', data: { id: node.id, label, kind: node.kind, namespace: node.namespace }, classes: [node.kind, nodeLevel(node)] };
}

/** Width rounded to a quarter pixel: a rate that moved a little restyles nothing. */
const quantized = (width: number) => Math.round(width * 4) / 4;

function edgeElement(edge: GraphEdge): CanvasElement {
  return {
    group: 'edges',
    data: { id: edge.id, source: edge.source, target: edge.target, width: quantized(edgeWidth(edge.rps)) },
    classes: [edgeLevel(edge), ...(edge.protocol === 'tcp' ? ['tcp'] : [])],
    overlay: {
      mtls: edge.mtls,
      // A service's split share is the point of its edges; other edges show their rate.
      label: edge.share !== undefined ? formatPercent(edge.share, 2) : edge.protocol === 'tcp' || edge.rps <= 0 ? '' : formatRate(edge.rps),
      share: edge.share !== undefined,
    },
  };
}

/** The namespace boxes and app columns, where and how big ELK made them, under everything else. */
function boxElements(graph: MeshGraph, layout: Layout): ElementDefinition[] {
  const labels = new Map<string, { label: string; kind: 'namespace' | 'app' }>();
  for (const node of graph.nodes) {
    const { namespace, app } = boxesOf(node, graph.groupBy);
    if (namespace) labels.set(namespace, { label: node.namespace, kind: 'namespace' });
    if (app) labels.set(app, { label: node.app ?? node.name, kind: 'app' });
  }
  return [...labels].flatMap(([id, { label, kind }]) => {
    const box = layout.boxes[id];
    return box
      ? [
          {
            group: 'nodes' as const,
            data: { id, label, width: box.width, height: box.height },
            classes: ['box', kind],
            position: { x: box.x, y: box.y },
            selectable: false,
          },
        ]
      : [];
  });
}

/** Which box holds which nodes, to hide a box when Hide removed all it holds. */
function boxMembers(graph: MeshGraph): Map<string, string[]> {
  const members = new Map<string, string[]>();
  const add = (box: string, id: string) => members.set(box, [...(members.get(box) ?? []), id]);
  for (const node of graph.nodes) {
    const { namespace, app } = boxesOf(node, graph.groupBy);
    if (namespace) add(namespace, node.id);
    if (app) add(app, node.id);
  }
  return members;
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
  const members = useRef(new Map<string, string[]>());
  const extent = useRef<Pick<Layout, 'width' | 'height'>>({ width: 0, height: 0 });
  const layoutRun = useRef(0);
  const onSelectRef = useRef(onSelect);
  const [synced, setSynced] = useState(0);
  const [cursor, setCursor] = useState('');
  const [announcement, setAnnouncement] = useState('');
  const [layingOut, setLayingOut] = useState(0);
  const [layoutError, setLayoutError] = useState('');
  const helpId = useId();

  useEffect(() => {
    onSelectRef.current = onSelect;
  }, [onSelect]);

  // One Cytoscape instance and one ELK worker for the page's life; the worker starts compiling
  // ELK at once (a small layout of the same shape), while the first answer is still on its way.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const elk = new ELK({ workerFactory: () => new Worker(new URL('./elk.worker.ts', import.meta.url)) });
    void elk.layout(warmUpGraph()).catch(() => undefined);
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
      if (marker) drawEdgeOverlay(cy, marker, colours);
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
      extent.current = { width: 0, height: 0 };
    };
  }, []);

  // Each answer: data in place; a layout only when the nodes changed.
  useEffect(() => {
    const cy = cyRef.current;
    const elk = elkRef.current;
    if (!cy || !elk || !graph) return;
    const key = layoutKey(graph);
    const elements = [...graph.nodes.map((n) => nodeElement(n, graph.groupBy)), ...graph.edges.map(edgeElement)];
    if (key === laidOut.current) {
      cy.batch(() => syncElements(cy, elements));
      setSynced((n) => n + 1);
      return;
    }
    const run = ++layoutRun.current;
    setLayingOut(graph.nodes.length);
    void elk.layout(elkGraph(graph)).then(
      (laid) => {
        if (run !== layoutRun.current || cyRef.current !== cy) return;
        setLayingOut(0);
        setLayoutError('');
        const layout = layoutOf(laid, graph);
        // A new picture (first one, another namespace or grouping) is fitted; a few nodes coming or going keep the view.
        const kept = graph.nodes.filter((n) => cy.getElementById(n.id).nonempty()).length;
        const refit = kept < graph.nodes.length / 2;
        cy.batch(() => {
          cy.nodes('.box').remove();
          cy.add(boxElements(graph, layout));
          syncElements(cy, elements, layout);
        });
        laidOut.current = key;
        members.current = boxMembers(graph);
        extent.current = layout;
        if (refit) fitLayout(cy, layout);
        cy.one('render', () => {
          container.current?.setAttribute('data-graph-drawn', String(graph.nodes.length));
          performance.mark(DRAWN_MARK);
        });
        setSynced((n) => n + 1);
      },
      (error: unknown) => {
        if (run !== layoutRun.current) return;
        setLayingOut(0);
        setLayoutError(error instanceof Error ? error.message : String(error));
      },
    );
  }, [graph]);

  // Find and Hide: classes only, so positions and the viewport never move.
  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.nodes('[kind]').forEach((node) => {
        setClass(node, 'hidden', !visibleNodes.has(node.id()));
        setClass(node, 'found', found.has(node.id()));
      });
      cy.edges().forEach((edge) => {
        setClass(edge, 'hidden', !visibleEdges.has(edge.id()));
        setClass(edge, 'found', found.has(edge.id()));
      });
      for (const [box, ids] of members.current) setClass(cy.getElementById(box), 'hidden', !ids.some((id) => visibleNodes.has(id)));
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
    else if (event.key === 'Escape' && selectedId) onSelect('');
    else if (event.key === '+' || event.key === '=') cy.zoom({ level: cy.zoom() * ZOOM_STEP, renderedPosition: centre });
    else if (event.key === '-') cy.zoom({ level: cy.zoom() / ZOOM_STEP, renderedPosition: centre });
    else if (event.key === '0') fitLayout(cy, extent.current);
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
      {layingOut > 0 && (
        <p className={`state state-loading ${styles.loading}`} role="status">
          Laying out {layingOut} nodes…
        </p>
      )}
      {layoutError && (
        <p className={`state state-error ${styles.loading}`} role="alert">
          Could not lay the graph out: {layoutError}. The table below lists its nodes and edges.
        </p>
      )}
      <p id={helpId} className="visually-hidden">
        Arrow keys move between nodes, Enter opens the details of the node and Escape closes them, plus and minus zoom, 0 fits the graph. The tables below list
        the same nodes and edges.
      </p>
      <p className="visually-hidden" role="status">
        {announcement}
      </p>
    </div>
  );
}

/**
 * Gives or takes a class only when that changes it: Cytoscape's toggleClass(name, false) restyles
 * the element even when it did not hold the class, so Find and Hide restyled all 4,562 elements
 * of a 1,640-node graph after its first layout and again on every refresh.
 */
function setClass(element: SingularElementArgument, name: string, on: boolean) {
  if (element.hasClass(name) !== on) element.toggleClass(name, on);
}

/** Adds, removes and updates the graph's elements to match `elements` (boxes aside); only what changed is touched. */
function syncElements(cy: Core, elements: CanvasElement[], layout?: Layout) {
  const wanted = new Set(elements.map((e) => e.data.id));
  cy.elements()
    .filter((e) => !e.hasClass('box') && !wanted.has(e.id()))
    .remove();
  const added: ElementDefinition[] = [];
  for (const element of elements) {
    const existing = cy.getElementById(element.data.id);
    const position = layout?.nodes[element.data.id];
    if (existing.empty()) {
      added.push({
        group: element.group,
        data: element.data,
        classes: element.classes,
        ...(position ? { position } : {}),
        scratch: { overlay: element.overlay },
      });
      continue;
    }
    // data() restyles the element whatever the value: only call it for a real change.
    const changed = Object.fromEntries(Object.entries(element.data).filter(([field, value]) => existing.data(field) !== value));
    if (Object.keys(changed).length > 0) existing.data(changed);
    existing.classes(element.classes);
    existing.scratch('overlay', element.overlay);
    if (position) existing.position(position);
  }
  if (added.length) cy.add(added);
}

const FIT_PADDING = 30;

/**
 * The whole drawing in view, from the layout's own size: cy.fit() measures every element's
 * bounding box, labels included, which took a second at a thousand nodes.
 */
function fitLayout(cy: Core, size: Pick<Layout, 'width' | 'height'>) {
  if (size.width <= 0 || size.height <= 0) return;
  const zoom = Math.min(
    cy.maxZoom(),
    Math.max(cy.minZoom(), Math.min((cy.width() - 2 * FIT_PADDING) / size.width, (cy.height() - 2 * FIT_PADDING) / size.height)),
  );
  cy.viewport({ zoom, pan: { x: (cy.width() - size.width * zoom) / 2, y: (cy.height() - size.height * zoom) / 2 } });
}

function inView(cy: Core, node: NodeSingular) {
  const box = node.renderedBoundingBox();
  return box.x1 >= 0 && box.y1 >= 0 && box.x2 <= cy.width() && box.y2 <= cy.height();
}

function describeNode(node: NodeSingular): string {
  const parent = node.data('namespace') ? ` in ${node.data('namespace')}` : '';
  return `${node.data('label')}, ${node.data('kind')}${parent}: ${node.incomers('edge').length} calls in, ${node.outgoers('edge').length} out`;
}
