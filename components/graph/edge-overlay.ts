// What the canvas writes on its edges, drawn on a canvas laid over Cytoscape's: the mTLS padlock
// and the plaintext warning as vector shapes (an emoji would need a font this console cannot
// count on, and Cytoscape has no per-edge icons), and the labels: a service's split share, else
// the rate. Kept out of Cytoscape's elements so a refresh whose rates moved restyles nothing.
// Drawn on every Cytoscape render, only when zoomed in enough to read, only for edges in view.
import type { Core } from 'cytoscape';
import type { GraphColours } from './graph-style';

/** What the overlay draws for one edge (the edge's scratch `overlay`). */
export interface EdgeOverlay {
  /** mTLS share (0..1); null: nobody reported it (no mark). */
  mtls: number | null;
  label: string;
  /** The label is a split share (shown from further away than a rate). */
  share: boolean;
}

/** Below these zooms the marks and labels would be noise over a picture of the whole mesh. */
const MARK_ZOOM = 0.6;
const SHARE_ZOOM = 0.5;
const RATE_ZOOM = 0.9;
/** Where along the edge the mark sits (from the source), clear of the label at the middle. */
const MARK_AT = 0.3;

/** Redraws every visible edge's mark (a padlock when all its requests are mTLS, a warning when some are plaintext) and label. */
export function drawEdgeOverlay(cy: Core, canvas: HTMLCanvasElement, colours: GraphColours) {
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (cy.destroyed()) return;
  const zoom = cy.zoom();
  if (zoom < Math.min(MARK_ZOOM, SHARE_ZOOM)) return;
  const pan = cy.pan();
  const extent = cy.extent();
  const inView = (p: { x: number; y: number }) => p.x >= extent.x1 && p.x <= extent.x2 && p.y >= extent.y1 && p.y <= extent.y2;
  const onScreen = (p: { x: number; y: number }) => ({ x: p.x * zoom + pan.x, y: p.y * zoom + pan.y });
  const size = Math.min(16, Math.max(10, 12 * zoom));
  const fontSize = Math.round(Math.min(13, Math.max(10, 10 * zoom)));
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  cy.edges().forEach((edge) => {
    const overlay = edge.scratch('overlay') as EdgeOverlay | undefined;
    if (!overlay || !edge.visible()) return;
    const from = edge.sourceEndpoint();
    const to = edge.targetEndpoint();
    const mark = { x: from.x + (to.x - from.x) * MARK_AT, y: from.y + (to.y - from.y) * MARK_AT };
    if (overlay.mtls !== null && zoom >= MARK_ZOOM && inView(mark)) {
      if (overlay.mtls >= 0.999) padlock(context, onScreen(mark), size, colours.ok, colours.surface);
      else warning(context, onScreen(mark), size, colours.warn, colours.surface);
    }
    const middle = { x: (from.x + to.x) / 2, y: (from.y + to.y) / 2 };
    if (overlay.label && zoom >= (overlay.share ? SHARE_ZOOM : RATE_ZOOM) && inView(middle)) {
      label(context, onScreen(middle), overlay.label, `${overlay.share ? 'bold ' : ''}${fontSize}px system-ui, sans-serif`, colours);
    }
  });
}

/** Text on a plate of the surface colour, readable over the edges under it. */
function label(context: CanvasRenderingContext2D, at: { x: number; y: number }, text: string, font: string, colours: GraphColours) {
  context.font = font;
  const width = context.measureText(text).width + 6;
  const height = parseInt(font.replace(/^bold /, ''), 10) + 4;
  context.globalAlpha = 0.85;
  context.fillStyle = colours.surface;
  context.fillRect(at.x - width / 2, at.y - height / 2, width, height);
  context.globalAlpha = 1;
  context.fillStyle = colours.text;
  context.fillText(text, at.x, at.y);
}

/** A closed padlock: a shackle arc over a body, centred on `at`. */
function padlock(context: CanvasRenderingContext2D, at: { x: number; y: number }, size: number, colour: string, background: string) {
  const body = { w: size * 0.75, h: size * 0.55 };
  const top = at.y - size / 2 + size * 0.45;
  context.fillStyle = background;
  context.beginPath();
  context.arc(at.x, at.y, size * 0.62, 0, Math.PI * 2);
  context.fill();
  context.strokeStyle = colour;
  context.lineWidth = Math.max(1.5, size / 8);
  context.beginPath();
  context.arc(at.x, top, body.w * 0.32, Math.PI, 0);
  context.stroke();
  context.fillStyle = colour;
  context.fillRect(at.x - body.w / 2, top, body.w, body.h);
}

/** A warning triangle with an exclamation mark, centred on `at`. */
function warning(context: CanvasRenderingContext2D, at: { x: number; y: number }, size: number, colour: string, background: string) {
  const half = size * 0.6;
  context.fillStyle = colour;
  context.beginPath();
  context.moveTo(at.x, at.y - half);
  context.lineTo(at.x + half, at.y + half * 0.8);
  context.lineTo(at.x - half, at.y + half * 0.8);
  context.closePath();
  context.fill();
  context.strokeStyle = background;
  context.lineWidth = Math.max(1.5, size / 8);
  context.beginPath();
  context.moveTo(at.x, at.y - half * 0.35);
  context.lineTo(at.x, at.y + half * 0.25);
  context.moveTo(at.x, at.y + half * 0.45);
  context.lineTo(at.x, at.y + half * 0.55);
  context.stroke();
}
