// The Traffic table's rows: one per http route of every VirtualService, with the facts the
// table shows, sorts and filters on. Pure.
import type { RouteView, VirtualServiceView } from '@/lib/mesh/traffic-split';
import { routeId } from './route-drafts';

export interface RouteRow {
  id: string;
  vs: VirtualServiceView;
  route: RouteView;
  /** "1. default-split": the position is the order Istio evaluates routes in. */
  routeLabel: string;
  /** The match rules in words (alternatives joined by "or"). */
  match: string;
  /** What the row's status column says and filters on. */
  status: RouteStatus;
  /** The split in words, for the text filter ("stable 95% / canary 5%"). */
  split: string;
}

export type RouteStatus = 'managed' | 'subset missing' | 'fault injected' | 'ok';

function statusOf(vs: VirtualServiceView, route: RouteView): RouteStatus {
  if (vs.managedBy) return 'managed';
  if (route.destinations.some((d) => d.warning)) return 'subset missing';
  if (route.fault) return 'fault injected';
  return 'ok';
}

// A VirtualService the list did not change keeps its row objects, so memoised rows skip re-rendering
// when a pushed update or an applied write replaces another one.
const rowsOfView = new WeakMap<VirtualServiceView, RouteRow[]>();

function rowsOf(vs: VirtualServiceView): RouteRow[] {
  return vs.routes.map((route) => ({
    id: routeId(vs, route.index),
    vs,
    route,
    routeLabel: `${route.index + 1}. ${route.name}`,
    match: route.rules.join(' or '),
    status: statusOf(vs, route),
    split: route.destinations.map((d) => `${d.service} ${d.subset ?? ''} ${d.weight}%`).join(' / '),
  }));
}

export function routeRows(items: VirtualServiceView[]): RouteRow[] {
  const rows: RouteRow[] = [];
  for (const vs of items) {
    let mine = rowsOfView.get(vs);
    if (!mine) rowsOfView.set(vs, (mine = rowsOf(vs)));
    for (const row of mine) rows.push(row);
  }
  return rows;
}
