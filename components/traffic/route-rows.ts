// The Traffic table's rows: one per http route of every VirtualService. A row holds references
// only (the texts the table sorts and filters on are made when asked), so 20,000 rows of a large
// mesh cost little more than the list they come from. Pure.
import { ACTIVE_PHASES } from '@/lib/mesh/rollout-model';
import type { RouteView, VirtualServiceView } from '@/lib/mesh/traffic-split';
import { routeId } from './route-drafts';

export interface RouteRow {
  id: string;
  vs: VirtualServiceView;
  route: RouteView;
  /** What the row's status column says and filters on. */
  status: RouteStatus;
}

export type RouteStatus = 'managed' | 'subset missing' | 'fault injected' | 'rollout active' | 'ok';

function statusOf(vs: VirtualServiceView, route: RouteView): RouteStatus {
  if (vs.managedBy) return 'managed';
  if (route.destinations.some((d) => d.warning)) return 'subset missing';
  if (route.fault) return 'fault injected';
  // Progressing or paused: its weights are the rollout's to move.
  if (vs.rollout?.route === route.index && ACTIVE_PHASES.includes(vs.rollout.phase)) return 'rollout active';
  return 'ok';
}

/** The match rules in words, alternatives joined by "or". */
export const matchText = (row: RouteRow) => row.route.rules.join(' or ');

/** "1. default-split all requests": the position is the order Istio evaluates routes in. */
export const routeText = (row: RouteRow) => `${row.route.index + 1}. ${row.route.name} ${matchText(row)}`;

/** The split in words, for the text filter: "reviews v1 90% / reviews v2 10%". */
export const splitText = (row: RouteRow) => row.route.destinations.map((d) => `${d.service} ${d.subset ?? ''} ${d.weight}%`).join(' / ');

// A VirtualService the list did not change keeps its row objects, so memoised rows skip re-rendering
// when a pushed update or an applied write replaces another one.
const rowsOfView = new WeakMap<VirtualServiceView, RouteRow[]>();

export function routeRows(items: VirtualServiceView[]): RouteRow[] {
  const rows: RouteRow[] = [];
  for (const vs of items) {
    let mine = rowsOfView.get(vs);
    if (!mine) rowsOfView.set(vs, (mine = vs.routes.map((route) => ({ id: routeId(vs, route.index), vs, route, status: statusOf(vs, route) }))));
    for (const row of mine) rows.push(row);
  }
  return rows;
}
