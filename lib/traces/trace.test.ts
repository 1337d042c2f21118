import { describe, expect, it } from 'vitest';
import { criticalPath, summarize, waterfall, type JaegerSpan, type JaegerTrace } from './trace';

const span = (id: string, parent: string | undefined, start: number, duration: number, process: string, error = false): JaegerSpan => ({
  traceID: 't',
  spanID: id,
  operationName: `op-${id}`,
  references: parent ? [{ refType: 'CHILD_OF', traceID: 't', spanID: parent }] : [],
  startTime: start,
  duration,
  tags: error ? [{ key: 'error', type: 'bool', value: true }] : [],
  logs: [],
  processID: process,
});

// gateway [0,1000] → coach [10,990] → { fast [30,60], nutrition call [100,400], overlap [150,350], messaging call [420,900] }.
// As in Jaeger: follow the child that finished last before the cursor, then move the cursor to its start.
// overlap runs alongside nutrition and ends earlier, so nothing waited on it.
const trace: JaegerTrace = {
  traceID: 't',
  spans: [
    span('gw', undefined, 0, 1000, 'p1'),
    span('coach', 'gw', 10, 980, 'p2', true),
    span('n', 'coach', 100, 300, 'p3'),
    span('m', 'coach', 420, 480, 'p4'),
    span('fast', 'coach', 30, 30, 'p3'),
    span('overlap', 'coach', 150, 200, 'p4'),
  ],
  processes: {
    p1: { serviceName: 'istio-ingressgateway', tags: [] },
    p2: { serviceName: 'ai-coach', tags: [] },
    p3: { serviceName: 'nutrition', tags: [] },
    p4: { serviceName: 'messaging', tags: [] },
  },
};

describe('trace views', () => {
  it('summarizes', () => {
    expect(summarize(trace)).toEqual({
      traceID: 't',
      rootService: 'istio-ingressgateway',
      rootOperation: 'op-gw',
      startUs: 0,
      durationUs: 1000,
      spans: 6,
      services: ['istio-ingressgateway', 'ai-coach', 'nutrition', 'messaging'],
      error: true,
      errorSpans: 1,
    });
  });

  it('finds the critical path: the chain the end waited on', () => {
    expect([...criticalPath(trace)].sort()).toEqual(['coach', 'fast', 'gw', 'm', 'n']);
  });

  it('lays out the waterfall depth-first with offsets', () => {
    const rows = waterfall(trace);
    expect(rows.map((r) => [r.spanID, r.depth, r.offsetUs, r.critical])).toEqual([
      ['gw', 0, 0, true],
      ['coach', 1, 10, true],
      ['fast', 2, 30, true],
      ['n', 2, 100, true],
      ['overlap', 2, 150, false],
      ['m', 2, 420, true],
    ]);
    expect(rows[1]!.error).toBe(true);
  });
});
