// How the canvas looks: Cytoscape's stylesheet in the console's theme colours (app/globals.css,
// read at runtime so light and dark both work), and the per-element numbers it maps (edge width
// by rate, colour by error share).
import type { StylesheetJson } from 'cytoscape';
import { errorShare, type GraphEdge, type GraphNode } from '@/lib/mesh/graph';
import { LEAF } from './graph-layout';

/** The theme colours the canvas uses (CSS variables of app/globals.css). */
export interface GraphColours {
  text: string;
  muted: string;
  border: string;
  surface: string;
  surface2: string;
  accent: string;
  focus: string;
  ok: string;
  warn: string;
  bad: string;
}

const VARIABLES: Record<keyof GraphColours, string> = {
  text: '--text',
  muted: '--text-muted',
  border: '--border',
  surface: '--surface',
  surface2: '--surface-2',
  accent: '--accent',
  focus: '--focus',
  ok: '--ok',
  warn: '--warn',
  bad: '--bad',
};

/** The current theme's colours, as the page's root element computes them. */
export function readColours(element: Element = document.documentElement): GraphColours {
  const style = getComputedStyle(element);
  return Object.fromEntries(Object.entries(VARIABLES).map(([key, variable]) => [key, style.getPropertyValue(variable).trim()])) as unknown as GraphColours;
}

/** Error share thresholds: above 1 % an edge warns, above 5 % it is in error. */
export type ErrorLevel = 'ok' | 'warn' | 'bad';
export const errorLevel = (share: number): ErrorLevel => (share > 0.05 ? 'bad' : share > 0.01 ? 'warn' : 'ok');

/** Edge width in pixels: logarithmic in requests/s (1 → 1.5 px, 10 → 3 px, 1,000 → 6 px), so one busy edge does not drown the rest. */
export const edgeWidth = (rps: number) => Math.min(8, 1 + 1.5 * Math.log10(1 + Math.max(0, rps)));

/** The level of a node's border: its inbound error share, or a tripped breaker. */
export const nodeLevel = (node: GraphNode): ErrorLevel => (node.tripped && node.tripped.uo + node.tripped.uh > 0 ? 'bad' : errorLevel(node.traffic.errorRatio));

export const edgeLevel = (edge: GraphEdge): ErrorLevel => errorLevel(errorShare(edge));

const SHAPES = { workload: 'ellipse', service: 'round-triangle', gateway: 'round-diamond', unknown: 'round-octagon', external: 'round-rectangle' } as const;

/**
 * The stylesheet: boxes at the bottom, then edges, then leaves (Cytoscape's default order); leaves by kind, edges by level;
 * `found`, `cursor`, `hidden` from the page's state. Edge labels and marks are edge-overlay.ts's.
 */
export function graphStylesheet(c: GraphColours): StylesheetJson {
  return [
    {
      selector: 'node',
      style: {
        width: LEAF.body,
        height: LEAF.body,
        'background-color': c.surface,
        'border-width': 2,
        'border-color': c.muted,
        label: 'data(label)',
        color: c.text,
        'font-size': 11,
        'font-family': 'system-ui, sans-serif',
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'text-wrap': 'ellipsis',
        'text-max-width': `${LEAF.width - 6}px`,
        'min-zoomed-font-size': 7,
      },
    },
    ...Object.entries(SHAPES).map(([kind, shape]) => ({ selector: `node.${kind}`, style: { shape } })),
    { selector: 'node.gateway, node.unknown, node.external', style: { 'background-color': c.surface2 } },
    { selector: 'node.warn', style: { 'border-color': c.warn, 'border-width': 3 } },
    { selector: 'node.bad', style: { 'border-color': c.bad, 'border-width': 3 } },
    {
      selector: 'node.box',
      style: {
        shape: 'round-rectangle',
        width: 'data(width)',
        height: 'data(height)',
        'background-color': c.surface2,
        'background-opacity': 0.5,
        'border-width': 1,
        'border-color': c.border,
        'text-valign': 'top',
        'text-margin-y': 18,
        'text-max-width': 'data(width)',
        'font-size': 12,
        'font-weight': 'bold',
        color: c.muted,
        'min-zoomed-font-size': 5,
        'z-compound-depth': 'bottom',
        events: 'no',
      },
    },
    {
      selector: 'node.app',
      style: { 'background-color': c.surface, 'background-opacity': 0.9, 'border-style': 'dashed', 'font-weight': 'normal', 'font-size': 11 },
    },
    {
      selector: 'edge',
      style: {
        width: 'data(width)',
        'curve-style': 'straight',
        'line-color': c.muted,
        'target-arrow-shape': 'triangle',
        'target-arrow-color': c.muted,
        'arrow-scale': 0.8,
      },
    },
    { selector: 'edge.tcp', style: { 'line-style': 'dashed' } },
    { selector: 'edge.warn', style: { 'line-color': c.warn, 'target-arrow-color': c.warn } },
    { selector: 'edge.bad', style: { 'line-color': c.bad, 'target-arrow-color': c.bad } },
    { selector: '.found', style: { 'underlay-color': c.accent, 'underlay-opacity': 0.35, 'underlay-padding': 6 } },
    { selector: 'node:selected', style: { 'border-color': c.accent, 'border-width': 4 } },
    { selector: 'edge:selected', style: { 'line-color': c.accent, 'target-arrow-color': c.accent } },
    { selector: 'node.cursor', style: { 'outline-width': 3, 'outline-color': c.focus, 'outline-offset': 3 } },
    { selector: '.hidden', style: { display: 'none' } },
  ];
}
