// The web worker ELK lays the graph out in (graph-canvas.tsx starts it), so a layout of a
// thousand nodes never blocks panning, typing or the side panel. Importing ELK's worker script
// in a worker registers its message handler (elk-api.js in the page speaks to it).
import 'elkjs/lib/elk-worker.min.js';
