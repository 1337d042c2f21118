import { describe, expect, it, vi } from 'vitest';
import { graphQueries, graphSamples, latencyQuery, namespaceMatchers, requestsQuery, SHARED_FOR_MS, tcpQuery } from './graph';
import { instantQueryAt } from './prometheus';

vi.mock('./prometheus', () => ({ instantQueryAt: vi.fn() }));

describe('graph queries', () => {
  it('are three, whatever the number of namespaces', () => {
    const many = Array.from({ length: 100 }, (_, i) => `ns-${i}`);
    for (const namespaces of [[], ['shop'], many]) expect(graphQueries(namespaces, '1m')).toHaveLength(3);
    // More namespaces lengthen one regex, never add a query or a selector.
    const one = graphQueries(['shop'], '1m').join('\n');
    const hundred = graphQueries(many, '1m').join('\n');
    expect(hundred.split('rate(').length).toBe(one.split('rate(').length);
  });

  it('filter on the caller OR the service namespace, in one regex each, joined with or', () => {
    expect(namespaceMatchers(['shop', 'media'])).toEqual(['source_workload_namespace=~"shop|media"', 'destination_service_namespace=~"shop|media"']);
    const q = tcpQuery(['shop'], '5m');
    expect(q).toContain(
      '(rate(istio_tcp_sent_bytes_total{source_workload_namespace=~"shop"}[5m]) or rate(istio_tcp_sent_bytes_total{destination_service_namespace=~"shop"}[5m]))',
    );
  });

  it('have no namespace matcher for the whole mesh', () => {
    for (const q of graphQueries([], '1m')) expect(q).not.toMatch(/namespace=~/);
    expect(requestsQuery([], '30s')).toContain('rate(istio_requests_total{reporter="destination"}[30s])');
  });

  it('escape what they quote', () => {
    expect(namespaceMatchers(['a"b', 'c.d'])).toEqual(['source_workload_namespace=~"a\\"b|c\\\\.d"', 'destination_service_namespace=~"a\\"b|c\\\\.d"']);
  });

  it('count a call once: the destination report, the source only where no workload answered', () => {
    const q = requestsQuery(['shop'], '1m');
    expect(q).toContain(
      'sum by (reporter, source_workload_namespace, source_workload, source_canonical_service, source_canonical_revision, source_app, source_version, destination_service_namespace, destination_service_name, destination_service, destination_workload_namespace, destination_workload, destination_canonical_service, destination_canonical_revision, destination_app, destination_version, request_protocol, connection_security_policy) ((rate(istio_requests_total{reporter="destination",source_workload_namespace=~"shop"}[1m]) or rate(istio_requests_total{reporter="destination",destination_service_namespace=~"shop"}[1m])) or (rate(istio_requests_total{reporter="source",destination_workload="unknown",source_workload_namespace=~"shop"}[1m]) or rate(istio_requests_total{reporter="source",destination_workload="unknown",destination_service_namespace=~"shop"}[1m])))',
    );
    expect(q).not.toContain('unless');
    for (const part of ['"rps"', '"e4"', '"e5"', '"flags"']) expect(q).toContain(`"kpi", ${part}`);
    expect(q).toContain('response_code=~"5.."');
    // gRPC failures answered with HTTP 200 count by their grpc_response_status.
    expect(q).toContain(
      'rate(istio_requests_total{reporter="destination",request_protocol="grpc",response_code!~"[45]..",grpc_response_status=~"2|4|12|13|14|15",source_workload_namespace=~"shop"}[1m])',
    );
    expect(q).toContain('grpc_response_status=~"1|3|5|6|7|8|9|10|11|16"');
    expect(q).toContain('response_flags!="-"');
  });

  it('take P95 per caller and service, and per service and workload, from the destination (the source only where no workload answered)', () => {
    const q = latencyQuery([], '1m');
    expect(q.match(/histogram_quantile\(0\.95, sum by \(reporter, /g)).toHaveLength(2);
    expect(q.match(/istio_request_duration_milliseconds_bucket\{reporter="destination"\}/g)).toHaveLength(2);
    expect(q.match(/istio_request_duration_milliseconds_bucket\{reporter="source",destination_workload="unknown"\}/g)).toHaveLength(1);
  });

  it('sum TCP bytes sent and received in one aggregation', () => {
    const q = tcpQuery([], '1m');
    expect(q).toMatch(
      /^sum by \(reporter, .*connection_security_policy\) \(rate\(istio_tcp_sent_bytes_total\[1m\]\) or label_replace\(rate\(istio_tcp_received_bytes_total\[1m\]\), "tcp_direction", "received", "", ""\)\)$/,
    );
  });
});

describe('graphSamples', () => {
  const answer = (query: string) => {
    if (query.includes('"rps"')) return [{ metric: { kpi: 'rps', reporter: 'destination' }, value: 1 }];
    if (query.includes('"caller"')) return [{ metric: { kpi: 'callee', reporter: 'destination' }, value: 20 }];
    return [];
  };

  /** Prometheus failing the query that holds `part`, answering the others. */
  const failing = (part: string, message: string) =>
    vi
      .mocked(instantQueryAt)
      .mockReset()
      .mockImplementation(async (q) => {
        if (q.includes(part)) throw new Error(message);
        return answer(q);
      });

  it('reads the three queries at one instant and splits their parts', async () => {
    vi.mocked(instantQueryAt)
      .mockReset()
      .mockImplementation(async (q) => answer(q));
    const reading = await graphSamples(['one'], '1m', 1_000_000);
    expect(reading.queries).toBe(3);
    expect(reading.time.getTime()).toBe(1_000_000);
    expect(vi.mocked(instantQueryAt).mock.calls.map(([, time]) => time)).toEqual([1000, 1000, 1000]);
    expect(reading.samples.requests).toHaveLength(1);
    expect(reading.samples.latencyOut).toHaveLength(1);
    expect(reading.samples.errors5xx).toEqual([]);
  });

  it('shares a reading for the same namespaces and window for a few seconds, not after', async () => {
    vi.mocked(instantQueryAt)
      .mockReset()
      .mockImplementation(async (q) => answer(q));
    const [a, b] = await Promise.all([graphSamples(['two'], '1m', 2_000_000), graphSamples(['two'], '1m', 2_000_001)]);
    expect(vi.mocked(instantQueryAt)).toHaveBeenCalledTimes(3);
    expect([a.queries, b.queries]).toEqual([3, 0]);
    expect(b.samples).toBe(a.samples);
    await graphSamples(['two'], '5m', 2_000_002); // another window: read anew
    expect(vi.mocked(instantQueryAt)).toHaveBeenCalledTimes(6);
    expect((await graphSamples(['two'], '1m', 2_000_000 + SHARED_FOR_MS)).queries).toBe(3);
  });

  it('does not share a failed reading', async () => {
    failing('"rps"', 'down');
    await expect(graphSamples(['three'], '1m', 3_000_000)).rejects.toThrow('down');
    await new Promise((r) => setTimeout(r, 0));
    vi.mocked(instantQueryAt).mockImplementation(async (q) => answer(q));
    expect((await graphSamples(['three'], '1m', 3_000_001)).samples.requests).toHaveLength(1);
  });

  it('answers without P95 while the histograms are read, then with the newest P95 reading', async () => {
    let finish: (samples: Awaited<ReturnType<typeof instantQueryAt>>) => void = () => {};
    const slow = (q: string) =>
      q.includes('"caller"') ? new Promise<Awaited<ReturnType<typeof instantQueryAt>>>((resolve) => (finish = resolve)) : Promise.resolve(answer(q));
    vi.mocked(instantQueryAt).mockReset().mockImplementation(slow);
    const first = await graphSamples(['four'], '1m', 4_000_000);
    expect(first.samples.requests).toHaveLength(1);
    expect(first.samples.latencyOut).toEqual([]);
    expect(first.latencyProblem).toMatch(/^P95 is still being computed/);
    finish(answer('"caller"'));
    await new Promise((r) => setTimeout(r, 0));
    // A later refresh starts a newer P95 reading; while that one runs, the finished one serves.
    const later = await graphSamples(['four'], '1m', 4_000_000 + SHARED_FOR_MS);
    expect(later.samples.latencyOut).toHaveLength(1);
    expect(later.latencyProblem).toBeUndefined();
    expect(later.queries).toBe(3);
    finish(answer('"caller"'));
  });

  it('says when P95 could not be read, and still answers', async () => {
    failing('"caller"', 'query timed out');
    const reading = await graphSamples(['five'], '1m', 5_000_000);
    expect(reading.samples.requests).toHaveLength(1);
    expect(reading.latencyProblem).toBe('P95 could not be read: query timed out');
  });
});
