// Traffic weights of one route: integers from 0 to 100 that sum to 100. Moving one
// destination rebalances the unlocked others in proportion (Kiali's behaviour, with locks).

export interface WeightState {
  weights: number[];
  locked: boolean[];
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Distributes `total` over the indexes in proportion to `basis` (evenly when the basis is
 * all zero), as integers that add up exactly: largest remainders get the leftover points.
 */
export function distribute(total: number, basis: number[]): number[] {
  if (basis.length === 0) return [];
  const base = sum(basis) > 0 ? basis : basis.map(() => 1);
  const raw = base.map((b) => (total * b) / sum(base));
  const floors = raw.map(Math.floor);
  let left = total - sum(floors);
  const order = raw.map((r, i) => ({ i, frac: r - Math.floor(r) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors;
}

/**
 * Sets destination `index` to `value` and rebalances the other unlocked destinations so the
 * total stays 100. The value is clamped to what the locked destinations leave free.
 */
export function setWeight(state: WeightState, index: number, value: number): number[] {
  const { weights, locked } = state;
  const lockedTotal = sum(weights.filter((_, i) => i !== index && locked[i]));
  const others = weights.map((_, i) => i).filter((i) => i !== index && !locked[i]);
  const max = others.length === 0 ? weights[index]! : 100 - lockedTotal;
  const clamped = Math.max(0, Math.min(max, Math.round(value)));
  const next = [...weights];
  next[index] = clamped;
  const remaining = 100 - lockedTotal - clamped;
  const shares = distribute(
    remaining,
    others.map((i) => weights[i]!),
  );
  others.forEach((i, k) => (next[i] = shares[k]!));
  return next;
}

/** Splits what the locked destinations leave evenly over the unlocked ones. */
export function distributeEvenly(state: WeightState): number[] {
  const free = state.weights.map((_, i) => i).filter((i) => !state.locked[i]);
  const lockedTotal = sum(state.weights.filter((_, i) => state.locked[i]));
  const shares = distribute(
    100 - lockedTotal,
    free.map(() => 1),
  );
  const next = [...state.weights];
  free.forEach((i, k) => (next[i] = shares[k]!));
  return next;
}

/** All traffic to one destination (promote, rollback, blue-green switch). */
export function allTo(count: number, index: number): number[] {
  return Array.from({ length: count }, (_, i) => (i === index ? 100 : 0));
}

/** The weights of a route as Istio reads them: a lone destination without weight takes 100. */
export function effectiveWeights(weights: (number | undefined)[]): number[] {
  if (weights.length === 1) return [weights[0] ?? 100];
  return weights.map((w) => w ?? 0);
}

export function isValidSplit(weights: number[]): boolean {
  return weights.every((w) => Number.isInteger(w) && w >= 0 && w <= 100) && sum(weights) === 100;
}
