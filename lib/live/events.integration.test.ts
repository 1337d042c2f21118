// /api/events against a running sandbox: a change made to the cluster (as kubectl would make it)
// reaches a subscribed stream within about a second, as the same payload the GET answers.
import { describe, expect, it, vi } from 'vitest';
import { dashboardSandbox } from '../security/sandbox-requests';

vi.mock('next-auth', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  getServerSession: vi.fn(async () => ({ user: { name: 'viewer', email: 'viewer@meshdeck.local', groups: ['meshdeck:viewers'], role: 'viewer' } })),
}));

const api = dashboardSandbox();
const NS = 'live-test';
const NAME = 'split';
const path = `/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/${NAME}`;
type View = { items: { name: string; routes: { destinations: { weight: number }[] }[] }[] };

async function openStream(query: string, signal: AbortSignal) {
  const { GET } = await import('../../app/api/events/route');
  return GET(new Request(`http://localhost/api/events?${query}`, { signal }));
}

/** The `event: data` payloads of a stream as they arrive, each with the time it came. */
function collect(body: ReadableStream<Uint8Array>) {
  const events: { at: number; key: unknown[]; data: unknown }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: data\ndata: (.*)$/m.exec(block)?.[1];
        if (data) events.push({ at: Date.now(), ...(JSON.parse(data) as { key: unknown[]; data: unknown }) });
      }
    }
  })().catch(() => undefined); // the abort at the end of the test
  return events;
}

const weightsIn = (data: unknown) => (data as View).items.find((vs) => vs.name === NAME)?.routes[0]?.destinations.map((d) => d.weight);

describe('the live stream on a sandbox', () => {
  it('pushes a VirtualService changed in the cluster within about a second, as the GET answers it', async () => {
    await api('/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } });
    const route = [
      { destination: { host: NAME, subset: 'stable' }, weight: 95 },
      { destination: { host: NAME, subset: 'canary' }, weight: 5 },
    ];
    await api(`/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, {
      method: 'POST',
      body: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: NAME, namespace: NS },
        spec: { hosts: [NAME], http: [{ name: 'default', route }] },
      },
    });

    const abort = new AbortController();
    const response = await openStream(`topics=traffic:${NS},emergencies`, abort.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const events = collect(response.body!);
    const traffic = () => events.filter((e) => JSON.stringify(e.key) === JSON.stringify(['traffic', 'list', NS]));
    await expect.poll(() => weightsIn(traffic()[0]?.data), { timeout: 10_000 }).toEqual([95, 5]);
    expect(events.some((e) => JSON.stringify(e.key) === JSON.stringify(['security', 'emergencies']))).toBe(true);

    const changedAt = Date.now();
    await api(path, {
      method: 'PATCH',
      type: 'application/json-patch+json',
      body: [
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 60 },
        { op: 'replace', path: '/spec/http/0/route/1/weight', value: 40 },
      ],
    });
    await expect.poll(() => weightsIn(traffic().at(-1)?.data), { timeout: 3000, interval: 20 }).toEqual([60, 40]);
    const latency = traffic().at(-1)!.at - changedAt;
    expect(latency).toBeLessThan(1000);

    // The payload is the GET's answer, byte for byte.
    const { GET } = await import('../../app/api/traffic/route');
    const answer = await (await GET(new Request(`http://localhost/api/traffic?namespace=${NS}`))).json();
    expect(traffic().at(-1)!.data).toEqual(answer);
    abort.abort();
  }, 30_000);

  it('refuses unknown topics with 400 and says which exist', async () => {
    const response = await openStream('topics=traffic:shop,kpis', new AbortController().signal);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('unknown topic "kpis": topics are traffic[:<namespace>]');
  });
});
