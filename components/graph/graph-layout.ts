// Where the canvas draws each node: the ELK input built from a MeshGraph, and ELK's answer read
// back as node centres. Pure (no DOM): the canvas sends the input to ELK in a web worker.
//
// Why the graph ELK sees is smaller than the one drawn (measured on a generated mesh of 1,000
// workloads, 3,000 edges and 50 namespaces; elkjs 0.12 layered):
// - one layout with hierarchyHandling INCLUDE_CHILDREN over every edge took 7 s already at a fifth
//   of that size; SEPARATE_CHILDREN lays out each box on its own, which needs every edge inside
//   the box that holds both its ends, so an edge between boxes is given to ELK between the boxes;
// - an app box holds its versions in one column (they never call each other), so ELK sees the
//   box as one node of that column's size instead of running a layout per app;
// - between namespaces, only the heaviest calls into each box order the layers: every
//   namespace calling every other made the top-level layout as slow as the rest together
//   (1,300 edges among 55 boxes), and the dropped calls are still drawn, just not laid out by.
import type { ElkExtendedEdge, ElkNode, LayoutOptions } from 'elkjs/lib/elk-api';
import type { GraphEdge, GraphNode, GroupBy, MeshGraph } from '@/lib/mesh/graph';

/** A leaf's room in the layout: its shape and its label under it. */
export const LEAF = { width: 120, height: 50, body: 28 } as const;
const BOX_PADDING = { top: 26, side: 10, bottom: 10 } as const;
const VERSION_GAP = 6;
/** Top-level calls kept per box for the layering (the heaviest by requests/s). */
const TOP_LEVEL_CALLS_PER_BOX = 2;

export const namespaceBoxId = (namespace: string) => `ns|${namespace}`;
export const appBoxId = (namespace: string, app: string) => `app|${namespace}|${app}`;

type LayoutNode = Pick<GraphNode, 'id' | 'kind' | 'namespace' | 'app' | 'version' | 'name'>;
type LayoutEdge = Pick<GraphEdge, 'source' | 'target' | 'rps'>;
export type LayoutGraph = { groupBy: GroupBy; nodes: LayoutNode[]; edges: LayoutEdge[] };

/** The boxes a node is drawn in: gateway, unknown and external nodes sit outside every namespace box. */
export function boxesOf(node: LayoutNode, groupBy: GroupBy): { namespace?: string; app?: string } {
  if (node.kind !== 'workload' && node.kind !== 'service') return {};
  if (!node.namespace) return {};
  if (groupBy === 'version' && node.kind === 'workload' && node.app)
    return { namespace: namespaceBoxId(node.namespace), app: appBoxId(node.namespace, node.app) };
  return { namespace: namespaceBoxId(node.namespace) };
}

const padding = `[top=${BOX_PADDING.top},left=${BOX_PADDING.side},bottom=${BOX_PADDING.bottom},right=${BOX_PADDING.side}]`;

/**
 * Layered, left to right, with the cheap choices (CPU time of the generated mesh's layout, warm:
 * 720 ms with ELK's defaults and thoroughness 1, 330 ms with simple node placement, no greedy
 * switch and no separate pass per connected component).
 */
const LAYERED: LayoutOptions = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.layered.thoroughness': '1',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.separateConnectedComponents': 'false',
  'elk.spacing.nodeNode': '14',
  'elk.layered.spacing.nodeNodeBetweenLayers': '40',
  'elk.spacing.componentComponent': '30',
};

/** Versions of one app, in a stable order (the column inside its box). */
function versionColumns(graph: LayoutGraph): Map<string, LayoutNode[]> {
  const columns = new Map<string, LayoutNode[]>();
  for (const node of graph.nodes) {
    const { app } = boxesOf(node, graph.groupBy);
    if (!app) continue;
    const column = columns.get(app);
    if (column) column.push(node);
    else columns.set(app, [node]);
  }
  for (const column of columns.values()) column.sort((a, b) => (a.version ?? '').localeCompare(b.version ?? ''));
  return columns;
}

const columnHeight = (count: number) => BOX_PADDING.top + count * LEAF.height + (count - 1) * VERSION_GAP + BOX_PADDING.bottom;

/** The graph ELK lays out (see the header): namespace boxes of services and app columns, gateways first, external hosts last. */
export function elkGraph(graph: LayoutGraph): ElkNode {
  const columns = versionColumns(graph);
  const root: ElkNode & { children: ElkNode[] } = {
    id: 'root',
    layoutOptions: { ...LAYERED, 'elk.hierarchyHandling': 'SEPARATE_CHILDREN', 'elk.padding': '[top=10,left=10,bottom=10,right=10]' },
    children: [],
  };
  const namespaces = new Map<string, ElkNode & { children: ElkNode[]; edges: ElkExtendedEdge[] }>();
  // The ELK node each graph node is laid out as (a version: its app's column), and that node's namespace box.
  const unitOf = new Map<string, { unit: string; box?: string }>();
  const namespaceBox = (id: string) => {
    let box = namespaces.get(id);
    if (!box) {
      box = { id, layoutOptions: { ...LAYERED, 'elk.padding': padding }, children: [], edges: [] };
      namespaces.set(id, box);
      root.children.push(box);
    }
    return box;
  };
  for (const node of graph.nodes) {
    const { namespace, app } = boxesOf(node, graph.groupBy);
    if (!namespace) {
      const layer = node.kind === 'external' ? 'LAST' : 'FIRST';
      root.children.push({ id: node.id, width: LEAF.width, height: LEAF.height, layoutOptions: { 'elk.layered.layering.layerConstraint': layer } });
      unitOf.set(node.id, { unit: node.id });
      continue;
    }
    const box = namespaceBox(namespace);
    if (app) {
      if (!unitOf.has(app)) {
        box.children.push({ id: app, width: LEAF.width + 2 * BOX_PADDING.side, height: columnHeight(columns.get(app)?.length ?? 1) });
        unitOf.set(app, { unit: app, box: namespace });
      }
      unitOf.set(node.id, { unit: app, box: namespace });
    } else {
      box.children.push({ id: node.id, width: LEAF.width, height: LEAF.height });
      unitOf.set(node.id, { unit: node.id, box: namespace });
    }
  }

  const inside = new Set<string>();
  const between = new Map<string, { source: string; target: string; rps: number }>();
  for (const edge of graph.edges) {
    const source = unitOf.get(edge.source);
    const target = unitOf.get(edge.target);
    if (!source || !target || source.unit === target.unit) continue;
    if (source.box && source.box === target.box) {
      const key = `${source.unit}>${target.unit}`;
      if (inside.has(key)) continue;
      inside.add(key);
      namespaces.get(source.box)?.edges.push({ id: key, sources: [source.unit], targets: [target.unit] });
      continue;
    }
    const from = source.box ?? source.unit;
    const to = target.box ?? target.unit;
    const key = `${from}>${to}`;
    const call = between.get(key);
    if (call) call.rps += edge.rps;
    else between.set(key, { source: from, target: to, rps: edge.rps });
  }
  root.edges = heaviestInto([...between.values()]).map((call) => ({ id: `${call.source}>${call.target}`, sources: [call.source], targets: [call.target] }));
  return root;
}

/** The TOP_LEVEL_CALLS_PER_BOX heaviest calls into each top-level node. */
function heaviestInto<T extends { target: string; rps: number }>(calls: T[]): T[] {
  const kept = new Map<string, T[]>();
  for (const call of [...calls].sort((a, b) => b.rps - a.rps)) {
    const into = kept.get(call.target) ?? [];
    if (into.length < TOP_LEVEL_CALLS_PER_BOX) kept.set(call.target, [...into, call]);
  }
  return [...kept.values()].flat();
}

export type Positions = Record<string, { x: number; y: number }>;
/** A namespace box or an app column: its centre and size. */
export type BoxGeometry = { x: number; y: number; width: number; height: number };
export interface Layout {
  /** Node centres (the shape's centre: its label hangs below). */
  nodes: Positions;
  /** Namespace boxes and app columns (boxesOf ids), as ELK sized them. */
  boxes: Record<string, BoxGeometry>;
  /** The whole drawing's size, from (0, 0). */
  width: number;
  height: number;
}

/** Node centres and box geometry from ELK's answer; versions in their app's column. */
export function layoutOf(laid: ElkNode, graph: Pick<MeshGraph, 'groupBy'> & { nodes: LayoutNode[] }): Layout {
  const corners = new Map<string, { x: number; y: number; width: number; height: number }>();
  const walk = (node: ElkNode, dx: number, dy: number) => {
    const x = dx + (node.x ?? 0);
    const y = dy + (node.y ?? 0);
    corners.set(node.id, { x, y, width: node.width ?? LEAF.width, height: node.height ?? LEAF.height });
    for (const child of node.children ?? []) walk(child, x, y);
  };
  walk(laid, -(laid.x ?? 0), -(laid.y ?? 0));
  const nodes: Positions = {};
  const boxes: Record<string, BoxGeometry> = {};
  const boxAt = (id: string) => {
    const corner = corners.get(id);
    if (corner && !boxes[id]) boxes[id] = { x: corner.x + corner.width / 2, y: corner.y + corner.height / 2, width: corner.width, height: corner.height };
  };
  for (const [app, column] of versionColumns({ ...graph, edges: [] })) {
    const corner = corners.get(app);
    if (!corner) continue;
    column.forEach((node, i) => {
      nodes[node.id] = { x: corner.x + corner.width / 2, y: corner.y + BOX_PADDING.top + i * (LEAF.height + VERSION_GAP) + LEAF.body / 2 };
    });
  }
  for (const node of graph.nodes) {
    const { namespace, app } = boxesOf(node, graph.groupBy);
    if (namespace) boxAt(namespace);
    if (app) boxAt(app);
    if (nodes[node.id]) continue;
    const corner = corners.get(node.id);
    if (corner) nodes[node.id] = { x: corner.x + corner.width / 2, y: corner.y + LEAF.body / 2 };
  }
  return { nodes, boxes, width: laid.width ?? 0, height: laid.height ?? 0 };
}

/**
 * A small graph of the same shape (3 namespaces of 4 apps in 2 versions, a gateway, calls down
 * the chain) that the page lays out while its first answer is on its way: ELK's layered code is
 * then compiled when the real graph comes (a cold layout of the generated 1,000-workload mesh
 * took 1,140 ms CPU, 850 ms after this warm-up).
 */
export function warmUpGraph(): ElkNode {
  const nodes: LayoutNode[] = [{ id: 'gateway', kind: 'gateway', namespace: 'system', name: 'gateway' }];
  const edges: LayoutEdge[] = [];
  let previous = 'gateway';
  for (let n = 0; n < 3; n++) {
    for (let a = 0; a < 4; a++) {
      const service = `service|ns${n}|app${a}|`;
      nodes.push({ id: service, kind: 'service', namespace: `ns${n}`, name: `app${a}` });
      edges.push({ source: previous, target: service, rps: 1 });
      for (const version of ['v1', 'v2']) {
        const id = `workload|ns${n}|app${a}|${version}`;
        nodes.push({ id, kind: 'workload', namespace: `ns${n}`, name: `app${a}`, app: `app${a}`, version });
        edges.push({ source: service, target: id, rps: 1 });
      }
      previous = `workload|ns${n}|app${a}|v1`;
    }
  }
  return elkGraph({ groupBy: 'version', nodes, edges });
}
