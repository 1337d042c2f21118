// The mTLS padlock and the plaintext warning on the graph's edges, drawn as vector shapes on a
// canvas laid over Cytoscape's (an emoji would need a font this console cannot count on, and
// Cytoscape has no per-edge icons). Drawn on every Cytoscape render, only when zoomed in enough
// to tell edges apart, and only for the edges in view.
import type { Core } from 'cytoscape';
import type { GraphColours } from './graph-style';

/** Below this zoom the markers would be noise over a picture of the whole mesh. */
const MIN_ZOOM = 0.6;
/** Where along the edge the marker sits (from the source), clear of the label at the middle. */
const ALONG = 0.3;

/** Redraws every visible edge's marker: a padlock when all its requests are mTLS, a warning when some are plaintext. */
export function drawEdgeMarkers(cy: Core, canvas: HTMLCanvasElement, colours: GraphColours) {
  const context = canvas.getContext('2d');
  if (!context) return;
  context.clearRect(0, 0, canvas.width, canvas.height);
  const zoom = cy.zoom();
  if (zoom < MIN_ZOOM || cy.destroyed()) return;
  const pan = cy.pan();
  const extent = cy.extent();
  const size = Math.min(16, Math.max(10, 12 * zoom));
  cy.edges().forEach((edge) => {
    const mtls = edge.data('mtls') as number | null | undefined;
    if (mtls === null || mtls === undefined || !edge.visible()) return;
    const from = edge.sourceEndpoint();
    const to = edge.targetEndpoint();
    const x = from.x + (to.x - from.x) * ALONG;
    const y = from.y + (to.y - from.y) * ALONG;
    if (x < extent.x1 || x > extent.x2 || y < extent.y1 || y > extent.y2) return;
    const at = { x: x * zoom + pan.x, y: y * zoom + pan.y };
    if (mtls >= 0.999) padlock(context, at, size, colours.ok, colours.surface);
    else warning(context, at, size, colours.warn, colours.surface);
  });
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
