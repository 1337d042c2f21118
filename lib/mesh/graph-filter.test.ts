import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GraphEdge, GraphNode, MeshGraph } from './graph';
import {
  applyGraphFilter,
  COMPARE_OPS,
  compileGraphFilter,
  edgesByNode,
  FIELDS,
  parseGraphFilter,
  printGraphFilter,
  type CompareOp,
  type FieldName,
  type FilterExpr,
} from './graph-filter';
import { graphEdge as edge, graphNode as node } from './testdata/graph-elements';

const gateway = node('gateway', 'istio-system', 'istio-ingressgateway', { traffic: { inRps: 0, outRps: 20, errorRatio: 0 } });
const front = node('workload', 'shop', 'productpage', { app: 'productpage', version: 'v1', traffic: { inRps: 20, outRps: 30, errorRatio: 0.01 } });
const reviews = node('service', 'shop', 'reviews', {
  host: 'reviews.shop.svc.cluster.local',
  decoration: { virtualServices: ['shop/reviews'], weights: [{ version: 'v1', weight: 90 }], breaker: { connectionPool: true, outlierDetection: true } },
});
const stable = node('workload', 'shop', 'reviews', {
  app: 'reviews',
  version: 'v1',
  decoration: { mtlsMode: 'STRICT', findings: { error: 1, warning: 2, info: 0 } },
});
const canary = node('workload', 'shop', 'reviews', { app: 'reviews', version: 'canary', tripped: { uo: 0.5, uh: 0 }, decoration: { mtlsMode: 'PERMISSIVE' } });
const external = node('external', '', 'api.example.com');
const lonely = node('workload', 'other', 'batch', { app: 'batch', version: 'v1' });

const inbound = edge(gateway, front, { rps: 20, p95: 80, mtls: 0.5 });
const toReviews = edge(front, reviews, { rps: 30, errors5xx: 0.02, errors4xx: 0.01, p95: 250, protocol: 'grpc' });
const toStable = edge(reviews, stable, { rps: 27, share: 0.9, p95: 1500 });
const toCanary = edge(reviews, canary, { rps: 3, share: 0.1, errors5xx: 0.3, flags: { UO: 0.5 }, p95: null });
const outbound = edge(front, external, { rps: 0, protocol: 'tcp', tcpBytesPerSecond: 5000, mtls: null, p95: null, flags: { UH: 0, URX: 1 } });

const graph: Pick<MeshGraph, 'nodes' | 'edges'> = {
  nodes: [gateway, front, reviews, stable, canary, external, lonely],
  edges: [inbound, toReviews, toStable, toCanary, outbound],
};
const byId = new Map(graph.nodes.map((n) => [n.id, n]));
const adjacency = edgesByNode(graph);

/** Names of the nodes and edges an expression matches (edges as `source>target`). */
function matches(text: string) {
  const compiled = compileGraphFilter(text);
  if (!compiled.ok) throw new Error(compiled.message);
  const label = (n: GraphNode) => (n.version ? `${n.name}@${n.version}` : n.name);
  return {
    nodes: graph.nodes.filter((n) => compiled.matchNode(n, adjacency.get(n.id) ?? [])).map(label),
    edges: graph.edges.filter((e) => compiled.matchEdge(e, byId)).map((e) => `${label(byId.get(e.source)!)}>${label(byId.get(e.target)!)}`),
  };
}
const edgesOf = (text: string) => matches(text).edges;
const nodesOf = (text: string) => matches(text).nodes;

describe('graph filter fields', () => {
  it('compares rates, bytes and ratios written as percentages', () => {
    expect(edgesOf('rps > 10')).toEqual(['istio-ingressgateway>productpage@v1', 'productpage@v1>reviews', 'reviews>reviews@v1']);
    expect(edgesOf('rps <= 1')).toEqual(['productpage@v1>api.example.com']);
    expect(edgesOf('bytes >= 5000')).toEqual(['productpage@v1>api.example.com']);
    expect(edgesOf('error > 1%')).toEqual(['productpage@v1>reviews', 'reviews>reviews@canary']);
    expect(edgesOf('error > 5')).toEqual(['reviews>reviews@canary']); // a bare number on a ratio is a percentage
    expect(edgesOf('5xx >= 2%')).toEqual(['productpage@v1>reviews', 'reviews>reviews@canary']);
    expect(edgesOf('4xx = 1%')).toEqual(['productpage@v1>reviews']);
    expect(edgesOf('share < 50%')).toEqual(['reviews>reviews@canary']);
    expect(edgesOf('share')).toEqual(['reviews>reviews@v1', 'reviews>reviews@canary']);
  });

  it('compares P95 with Go durations and bare milliseconds, and a missing P95 fails every comparison', () => {
    expect(edgesOf('p95 > 200ms')).toEqual(['productpage@v1>reviews', 'reviews>reviews@v1']);
    expect(edgesOf('p95 > 1.4s')).toEqual(['reviews>reviews@v1']);
    expect(edgesOf('p95 >= 1m30s')).toEqual([]);
    expect(edgesOf('p95 < 100')).toEqual(['istio-ingressgateway>productpage@v1']);
    expect(edgesOf('p95 != 80')).toEqual(['productpage@v1>reviews', 'reviews>reviews@v1']);
    expect(edgesOf('not p95')).toEqual(['reviews>reviews@canary', 'productpage@v1>api.example.com']);
  });

  it('tests protocol, mTLS, plaintext and response flags', () => {
    expect(edgesOf('protocol = grpc')).toEqual(['productpage@v1>reviews']);
    expect(edgesOf('protocol != http')).toEqual(['productpage@v1>reviews', 'productpage@v1>api.example.com']);
    expect(edgesOf('mtls')).toEqual(['productpage@v1>reviews', 'reviews>reviews@v1', 'reviews>reviews@canary']);
    // Not fully mTLS: some plaintext, or no report at all (an external host).
    expect(edgesOf('!mtls')).toEqual(['istio-ingressgateway>productpage@v1', 'productpage@v1>api.example.com']);
    expect(edgesOf('plaintext')).toEqual(['istio-ingressgateway>productpage@v1']);
    expect(edgesOf('plaintext >= 50%')).toEqual(['istio-ingressgateway>productpage@v1']);
    expect(edgesOf('mtls < 100%')).toEqual(['istio-ingressgateway>productpage@v1']);
    expect(edgesOf('flag = UO')).toEqual(['reviews>reviews@canary']);
    expect(edgesOf('has uo')).toEqual(['reviews>reviews@canary']);
    expect(edgesOf('flag = UH')).toEqual([]); // a flag at 0/s is not carried
    expect(edgesOf('flag ~ U*')).toEqual(['reviews>reviews@canary', 'productpage@v1>api.example.com']);
    expect(edgesOf('flag != UO and flag')).toEqual(['productpage@v1>api.example.com']);
  });

  it('tests node text fields with =, != and ~ (substring or glob), case-insensitively', () => {
    expect(nodesOf('version = canary')).toEqual(['reviews@canary']);
    expect(nodesOf('app = REVIEWS')).toEqual(['reviews', 'reviews@v1', 'reviews@canary']);
    expect(nodesOf('name ~ view')).toEqual(['reviews', 'reviews@v1', 'reviews@canary']);
    expect(nodesOf('name ~ pro*')).toEqual(['productpage@v1']);
    expect(nodesOf('name ~ *.com')).toEqual(['api.example.com']);
    expect(nodesOf('name !~ e')).toEqual(['batch@v1']);
    expect(nodesOf('namespace != istio-system and namespace')).toEqual(['productpage@v1', 'reviews', 'reviews@v1', 'reviews@canary', 'batch@v1']);
    expect(nodesOf('ns = shop and kind = service')).toEqual(['reviews']);
    expect(nodesOf('host ~ "*.svc.cluster.local"')).toEqual(['reviews']);
    expect(nodesOf('kind = external or kind = gateway')).toEqual(['istio-ingressgateway', 'api.example.com']);
    expect(nodesOf('mtlsmode = permissive')).toEqual(['reviews@canary']);
  });

  it('tests node numbers and decorations', () => {
    expect(nodesOf('inrps > 10')).toEqual(['productpage@v1']);
    expect(nodesOf('outrps >= 20')).toEqual(['istio-ingressgateway', 'productpage@v1']);
    expect(nodesOf('findings > 2')).toEqual(['reviews@v1']);
    expect(nodesOf('has breaker')).toEqual(['reviews']);
    expect(nodesOf('has cb and has vs and has split and not has dr')).toEqual(['reviews']);
    expect(nodesOf('emergency')).toEqual([]);
  });

  it('tripped: a node with UO/UH evidence, an edge carrying UO/UH', () => {
    expect(matches('tripped')).toEqual({ nodes: ['reviews@canary'], edges: ['reviews>reviews@canary'] });
  });

  it('lifts node fields to edges (either end) and edge fields to nodes (any edge)', () => {
    expect(edgesOf('version = canary')).toEqual(['reviews>reviews@canary']);
    expect(edgesOf('namespace = istio-system')).toEqual(['istio-ingressgateway>productpage@v1']);
    expect(nodesOf('protocol = tcp')).toEqual(['productpage@v1', 'api.example.com']);
    expect(nodesOf('rps > 25')).toEqual(['productpage@v1', 'reviews', 'reviews@v1']);
    // The lift is per test: a node whose edges include a slow one and a busy one matches both tests.
    expect(nodesOf('rps > 25 and rps < 5')).toEqual(['productpage@v1', 'reviews']);
  });

  it('combines with and/or/not/!/&&/|| and parentheses; and binds tighter than or', () => {
    expect(nodesOf('kind = gateway or kind = service and name = nothing')).toEqual(['istio-ingressgateway']);
    expect(nodesOf('(kind = gateway or kind = service) and name = reviews')).toEqual(['reviews']);
    expect(nodesOf('NOT (kind = workload) && !(kind = service)')).toEqual(['istio-ingressgateway', 'api.example.com']);
    expect(nodesOf('kind = external || version == canary')).toEqual(['reviews@canary', 'api.example.com']);
    expect(nodesOf('not not kind = service')).toEqual(['reviews']);
  });

  it("reads Kiali's spellings and `is`", () => {
    expect(edgesOf('%error > 1')).toEqual(edgesOf('error > 1%'));
    expect(edgesOf('responsetime > 200')).toEqual(edgesOf('p95 > 200ms'));
    expect(nodesOf('node = service or httpin > 10')).toEqual(['productpage@v1', 'reviews']);
    expect(matches('is tripped')).toEqual(matches('tripped'));
    expect(nodesOf('has cb')).toEqual(nodesOf('breaker'));
  });

  it('matches nothing when empty', () => {
    const empty = compileGraphFilter('   ');
    expect(empty.ok && empty.empty).toBe(true);
    expect(matches('')).toEqual({ nodes: [], edges: [] });
  });
});

describe('graph filter errors', () => {
  const error = (text: string) => {
    const compiled = compileGraphFilter(text);
    if (compiled.ok) throw new Error(`"${text}" compiled`);
    return { message: compiled.message, position: compiled.position };
  };

  it('names an unknown field, suggests the closest, and lists the fields', () => {
    const e = error('rsp > 10');
    expect(e.position).toBe(0);
    expect(e.message).toContain('Unknown field "rsp" (did you mean rps?)');
    expect(e.message).toContain('edges: rps, bytes, error, 4xx, 5xx, p95, protocol, mtls, plaintext, flag, share');
    expect(e.message).toContain('nodes: name, app, version, namespace');
    expect(error('constructor > 1').message).toContain('Unknown field "constructor"');
    expect(error('has toString').message).toContain('neither a field nor a response flag');
    expect(error('rps > 1 and verison = v2')).toMatchObject({ position: 12, message: expect.stringContaining('did you mean version?') });
  });

  it('refuses an operator the field does not take, naming the ones it does', () => {
    expect(error('version > canary')).toEqual({ position: 8, message: '">" does not apply to version, which is text: compare it with = != ~ !~.' });
    expect(error('rps ~ 10')).toEqual({ position: 4, message: '"~" does not apply to rps, which is a number: compare it with = != < <= > >=.' });
    expect(error('tripped = yes').message).toBe('"=" does not apply to tripped, which is a yes/no test: write "tripped" or "not tripped".');
  });

  it('refuses values of the wrong kind with an example', () => {
    expect(error('rps > fast')).toEqual({ position: 6, message: '"fast" is not a number: rps compares with a number, e.g. rps > 10.' });
    expect(error('error > 1ms').message).toBe('"1ms" is not a percentage: error compares with a share such as 1% or 0.5%, e.g. error > 1%.');
    expect(error('p95 > 5%').message).toBe('"5%" is not a duration: write it as 200ms, 1.5s or 1m30s, e.g. p95 > 200ms.');
    expect(error('protocol = grpcs').message).toBe('"grpcs" is not a protocol: use one of http, grpc, tcp.');
    expect(error('kind = pod').message).toBe('"pod" is not a kind: use one of workload, service, gateway, unknown, external.');
    expect(error('flag = U0').message).toContain('is not an Envoy response flag');
    expect(error('has 42').message).toContain('neither a field nor a response flag');
  });

  it('reports a missing value, operand, parenthesis or connective where it is', () => {
    expect(error('rps >')).toEqual({ position: 5, message: 'Expected a value after ">" but found the end, e.g. rps > 10.' });
    expect(error('rps > 1 and')).toMatchObject({ position: 11, message: expect.stringContaining('Expected a field or "(" but found the end') });
    expect(error('(rps > 1 or mtls')).toEqual({ position: 16, message: 'Missing ")" for the "(" at 1 (found the end).' });
    expect(error('rps > 1)')).toEqual({ position: 7, message: '")" at 8 closes nothing: remove it or add "(" before.' });
    expect(error('rps > 1 mtls')).toEqual({ position: 8, message: 'Expected "and" or "or" before "mtls".' });
    expect(error('name = "open')).toMatchObject({ position: 7, message: expect.stringContaining('is not closed') });
    expect(error('mtls & rps')).toMatchObject({ position: 5, message: expect.stringContaining('write "and" (&&) or "or" (||)') });
    expect(error('> 3')).toMatchObject({ position: 0, message: expect.stringContaining('but found ">"') });
  });
});

describe('applyGraphFilter', () => {
  const all = { nodes: new Set(graph.nodes.map((n) => n.id)), edges: new Set(graph.edges.map((e) => e.id)) };

  it('shows everything and finds nothing without expressions', () => {
    const result = applyGraphFilter(graph, {});
    expect(result.visibleNodes).toEqual(all.nodes);
    expect(result.visibleEdges).toEqual(all.edges);
    expect(result.found.size).toBe(0);
  });

  it('hides matched nodes with their edges', () => {
    const result = applyGraphFilter(graph, { hide: 'version = canary' });
    expect(result.visibleNodes.has(canary.id)).toBe(false);
    expect(result.visibleEdges.has(toCanary.id)).toBe(false);
    expect(result.visibleNodes.size).toBe(graph.nodes.length - 1);
    expect(result.visibleEdges.size).toBe(graph.edges.length - 1);
  });

  it('an expression only about edges hides edges and leaves their ends, even alone', () => {
    const result = applyGraphFilter(graph, { hide: 'protocol = tcp' });
    expect(result.visibleEdges.has(outbound.id)).toBe(false);
    expect(result.visibleNodes).toEqual(all.nodes); // the external host stays, without edges
  });

  it('finds visible nodes and edges only; an edge-only Find marks edges, not nodes', () => {
    expect([...applyGraphFilter(graph, { find: '!mtls' }).found]).toEqual([inbound.id, outbound.id]);
    expect([...applyGraphFilter(graph, { find: 'version = canary' }).found]).toEqual([canary.id, toCanary.id]);
    expect([...applyGraphFilter(graph, { find: 'version = canary', hide: 'tripped' }).found]).toEqual([]);
  });

  it('reports a box with a syntax error and filters nothing with it', () => {
    const result = applyGraphFilter(graph, { find: 'rps >', hide: 'kind ~' });
    expect(result.findError?.position).toBe(5);
    expect(result.hideError?.message).toContain('Expected a value after "~"');
    expect(result.visibleNodes).toEqual(all.nodes);
    expect(result.found.size).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];
const safeNumber = fc
  .oneof(fc.integer({ min: -1000, max: 100_000 }), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }))
  .map((n) => (Object.is(n, -0) ? 0 : n));
const textValue = fc.oneof(
  fc.constantFrom('canary', 'v1', 'istio-system', 'and', 'has', 'pay*', '', 'a b', 'q"uote', 'back\\slash', "it's", 'x!=y'),
  fc.string({ maxLength: 8 }),
);

const comparison: fc.Arbitrary<FilterExpr> = fc.constantFrom(...FIELD_NAMES).chain((field): fc.Arbitrary<FilterExpr> => {
  const spec = FIELDS[field] as { type: string; choices?: readonly string[] };
  const test = fc.constant<FilterExpr>({ type: 'test', field });
  const compare = (ops: readonly CompareOp[], value: fc.Arbitrary<number | string>) =>
    fc.record({ type: fc.constant('compare' as const), field: fc.constant(field), op: fc.constantFrom(...ops), value }) as fc.Arbitrary<FilterExpr>;
  const order: CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];
  switch (spec.type) {
    case 'number':
    case 'ratio':
    case 'ms':
      return fc.oneof(test, compare(order, safeNumber));
    case 'choice':
      return fc.oneof(test, compare(['=', '!=', '~', '!~'], fc.constantFrom(...spec.choices!)));
    case 'set':
      return fc.oneof(test, compare(['=', '!=', '~', '!~'], fc.constantFrom('UO', 'UH', 'URX', 'U*', 'RL')));
    case 'text':
      return fc.oneof(test, compare(['=', '!=', '~', '!~'], textValue));
    default:
      return test;
  }
});

const expression: fc.Arbitrary<FilterExpr> = fc.letrec<{ expr: FilterExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    comparison,
    fc.record({ type: fc.constant('not' as const), expr: tie('expr') }),
    fc.record({ type: fc.constantFrom('and' as const, 'or' as const), left: tie('expr'), right: tie('expr') }),
  ),
})).expr;

/** A random graph: nodes of every kind, edges between them with random figures. */
const randomGraph: fc.Arbitrary<Pick<MeshGraph, 'nodes' | 'edges'>> = fc
  .array(
    fc.record({
      kind: fc.constantFrom('workload', 'service', 'gateway', 'unknown', 'external') as fc.Arbitrary<GraphNode['kind']>,
      namespace: fc.constantFrom('', 'shop', 'istio-system'),
      name: fc.constantFrom('reviews', 'productpage', 'pay', 'x'),
      version: fc.option(fc.constantFrom('v1', 'canary'), { nil: undefined }),
      inRps: fc.double({ min: 0, max: 50, noNaN: true }),
      uo: fc.constantFrom(0, 1),
      breaker: fc.boolean(),
    }),
    { minLength: 1, maxLength: 6 },
  )
  .chain((specs) => {
    const nodes = specs.map((s, i) =>
      node(s.kind, s.namespace, `${s.name}${i}`, {
        version: s.version,
        traffic: { inRps: s.inRps, outRps: 0, errorRatio: 0 },
        tripped: s.uo ? { uo: s.uo, uh: 0 } : undefined,
        decoration: s.breaker ? { breaker: { connectionPool: true, outlierDetection: false } } : {},
      }),
    );
    const index = fc.nat({ max: nodes.length - 1 });
    const edges = fc.array(
      fc.record({
        from: index,
        to: index,
        protocol: fc.constantFrom('http', 'grpc', 'tcp') as fc.Arbitrary<GraphEdge['protocol']>,
        rps: fc.constantFrom(0, 0.5, 3, 20),
        errors5xx: fc.constantFrom(0, 0.005, 0.2),
        p95: fc.constantFrom(null, 50, 300),
        mtls: fc.constantFrom(null, 0, 0.5, 1),
        uo: fc.constantFrom(0, 2),
      }),
      { maxLength: 10 },
    );
    return edges.map((list) => {
      const seen = new Set<string>();
      const graphEdges = list
        .map((e) =>
          edge(nodes[e.from]!, nodes[e.to]!, {
            protocol: e.protocol,
            rps: e.rps,
            errors5xx: e.errors5xx,
            p95: e.p95,
            mtls: e.mtls,
            flags: e.uo ? { UO: e.uo } : {},
          }),
        )
        .filter((e) => !seen.has(e.id) && seen.add(e.id));
      return { nodes, edges: graphEdges };
    });
  });

function matcher(expr: FilterExpr) {
  const compiled = compileGraphFilter(printGraphFilter(expr));
  if (!compiled.ok) throw new Error(`${printGraphFilter(expr)}: ${compiled.message}`);
  return compiled;
}

/** Ids of what an expression matches in a graph (node ids and edge ids). */
function matchedIds(g: Pick<MeshGraph, 'nodes' | 'edges'>, expr: FilterExpr): Set<string> {
  const compiled = matcher(expr);
  const ids = new Map(g.nodes.map((n) => [n.id, n]));
  const adjacent = edgesByNode(g);
  return new Set([
    ...g.nodes.filter((n) => compiled.matchNode(n, adjacent.get(n.id) ?? [])).map((n) => n.id),
    ...g.edges.filter((e) => compiled.matchEdge(e, ids)).map((e) => e.id),
  ]);
}

const allIds = (g: Pick<MeshGraph, 'nodes' | 'edges'>) => [...g.nodes.map((n) => n.id), ...g.edges.map((e) => e.id)];

/** Texts made of the language's own words, in any order: nearer misses than random characters. */
const tokenSoup = fc
  .array(
    fc.constantFrom(
      'rps',
      'p95',
      'name',
      'flag',
      'has',
      'is',
      'not',
      '!',
      'and',
      'or',
      '(',
      ')',
      '>',
      '!=',
      '~',
      '1%',
      '2s',
      'UO',
      '"a b"',
      'constructor',
      '__proto__',
      'toString',
    ),
    {
      maxLength: 8,
    },
  )
  .map((words) => words.join(' '));

describe('graph filter properties', () => {
  it('parses the printed text of any expression back to the same expression', () => {
    fc.assert(
      fc.property(expression, (expr) => {
        const printed = printGraphFilter(expr);
        expect(parseGraphFilter(printed)).toEqual({ ok: true, expr });
      }),
      { numRuns: 500 },
    );
  });

  it('a and b matches a subset of a (and of b); a or b a superset', () => {
    fc.assert(
      fc.property(randomGraph, expression, expression, (g, a, b) => {
        const [ma, mb] = [matchedIds(g, a), matchedIds(g, b)];
        for (const id of matchedIds(g, { type: 'and', left: a, right: b })) expect(ma.has(id) && mb.has(id)).toBe(true);
        const either = matchedIds(g, { type: 'or', left: a, right: b });
        for (const id of allIds(g)) expect(either.has(id)).toBe(ma.has(id) || mb.has(id));
      }),
      { numRuns: 200 },
    );
  });

  it('not a matches exactly what a does not', () => {
    fc.assert(
      fc.property(randomGraph, expression, (g, a) => {
        const [ma, mnot] = [matchedIds(g, a), matchedIds(g, { type: 'not', expr: a })];
        for (const id of allIds(g)) expect(mnot.has(id)).toBe(!ma.has(id));
      }),
      { numRuns: 200 },
    );
  });

  it('Hide: what it leaves plus what it matches covers the graph; edges shown have both ends shown; Find marks only shown things', () => {
    fc.assert(
      fc.property(randomGraph, expression, expression, (g, hide, find) => {
        const hideText = printGraphFilter(hide);
        const result = applyGraphFilter(g, { hide: hideText, find: printGraphFilter(find) });
        const matched = matchedIds(g, hide);
        for (const n of g.nodes) expect(result.visibleNodes.has(n.id) || matched.has(n.id)).toBe(true);
        for (const e of g.edges) {
          const endHidden = !result.visibleNodes.has(e.source) || !result.visibleNodes.has(e.target);
          expect(result.visibleEdges.has(e.id) || matched.has(e.id) || endHidden).toBe(true);
          if (result.visibleEdges.has(e.id)) expect(endHidden).toBe(false);
        }
        for (const id of result.found) expect(result.visibleNodes.has(id) || result.visibleEdges.has(id)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('never throws on arbitrary text: it compiles or names a position inside the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), tokenSoup), (text) => {
        const compiled = compileGraphFilter(text);
        if (compiled.ok) return;
        expect(compiled.position).toBeGreaterThanOrEqual(0);
        expect(compiled.position).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 1000 },
    );
  });
});

it('every field and operator list is coherent', () => {
  expect(COMPARE_OPS).toEqual(['=', '!=', '<', '<=', '>', '>=', '~', '!~']);
  for (const field of FIELD_NAMES) expect(compileGraphFilter(FIELDS[field].example).ok, FIELDS[field].example).toBe(true);
});
