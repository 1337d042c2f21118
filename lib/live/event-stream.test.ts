// The live stream against a scripted API on loopback: a watch event reaches the stream, a burst is
// one payload, an unchanged payload is not sent again, a failure says what the GET would, and
// aborting stops everything.
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { cacheFor } from '@/lib/k8s/caches';
import { ApiError } from '@/lib/k8s/errors';
import { fakeApiPerTest, sendEvents, sendJson } from '@/lib/k8s/fake-api';
import { pods } from '@/lib/k8s/resources';
import { endOpenStreams, liveEventStream, liveStreamsStopping, resetLiveStreams } from './event-stream';
import type { Topic } from './topics';

type Pod = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; resourceVersion: string; labels?: Record<string, string> } };
const pod = (name: string, rv: string, labels: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', resourceVersion: rv, labels },
});

const startFakeApi = fakeApiPerTest();

/** An API holding `objects`, whose watches stay open for the test to push events into. */
async function podApi(objects: Pod[]) {
  const watches: ServerResponse[] = [];
  await startFakeApi((request, response) => {
    if (request.url.searchParams.get('watch') === 'true') {
      watches.push(response);
      return sendEvents(response, [], true);
    }
    sendJson(response, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '10' }, items: objects });
  });
  await cacheFor(pods);
  await expect.poll(() => watches.length).toBe(1);
  return (type: string, object: Pod) => sendEvents(watches[0]!, [{ type, object }], true);
}

/** Reads the stream's events as they come, parsed. */
function reader(stream: ReadableStream<Uint8Array>) {
  const events: { event: string; data: unknown }[] = [];
  const comments: string[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const done = (async () => {
    for await (const chunk of stream) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.startsWith(':')) comments.push(block);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  return { events, comments, done };
}

const trafficShop: Topic = { kind: 'traffic', namespace: 'shop' };
const podLabels = async () =>
  (await cacheFor<Pod>(pods))
    .list('shop')
    .map((p) => `${p.metadata.name}:${p.metadata.labels?.v ?? ''}`)
    .join(',');

describe('liveEventStream', () => {
  it('sends each topic at once, then once per burst of changes to the caches it read, and nothing for a change that alters nothing', async () => {
    const push = await podApi([pod('a', '10')]);
    let reads = 0;
    const abort = new AbortController();
    const read = async () => (reads++, { labels: await podLabels() });
    const stream = reader(liveEventStream([trafficShop], read, abort.signal, { coalesceMs: 150 }));
    await expect.poll(() => stream.events).toEqual([{ event: 'data', data: { key: ['traffic', 'list', 'shop'], data: { labels: 'a:' } } }]);

    const changedAt = Date.now();
    push('MODIFIED', pod('a', '11', { v: '1' }));
    push('MODIFIED', pod('a', '12', { v: '2' }));
    push('ADDED', pod('b', '13', { v: '3' }));
    await expect.poll(() => stream.events.length, { timeout: 1000, interval: 10 }).toBe(2);
    expect(Date.now() - changedAt).toBeLessThan(1000);
    expect(stream.events[1]!.data).toEqual({ key: ['traffic', 'list', 'shop'], data: { labels: 'a:2,b:3' } });
    expect(reads).toBe(2); // three events, one read

    push('MODIFIED', pod('b', '14', { v: '3' })); // a new version, same payload
    await expect.poll(() => reads).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stream.events).toHaveLength(2);

    abort.abort();
    await stream.done;
    push('MODIFIED', pod('a', '15', { v: '9' }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reads).toBe(3);
  });

  it('sends a failed read as the status and message the GET would answer, and internal faults without their text', async () => {
    await podApi([]);
    const abort = new AbortController();
    const read = async (topic: Topic) => {
      await cacheFor(pods);
      if (topic.kind === 'traffic') throw new ApiError(403, 'The cluster does not let you see shop', 'Forbidden');
      throw new TypeError('secret internals');
    };
    const stream = reader(liveEventStream([trafficShop, { kind: 'cluster', namespace: '' }], read, abort.signal));
    await expect.poll(() => stream.events.length).toBe(2);
    expect(stream.events).toContainEqual({
      event: 'failed',
      data: { key: ['traffic', 'list', 'shop'], status: 403, message: 'The cluster does not let you see shop' },
    });
    const internal = stream.events.find((e) => (e.data as { key: unknown[] }).key[1] === 'cluster')!.data as { status: number; message: string };
    expect(internal.status).toBe(500);
    expect(internal.message).not.toContain('secret');
    abort.abort();
    await stream.done;
  });

  it('keeps only the latest payload per topic for a reader that does not keep up, and sends heartbeats when idle', async () => {
    const push = await podApi([pod('a', '10')]);
    const abort = new AbortController();
    const stream = liveEventStream([trafficShop], async () => ({ labels: await podLabels() }), abort.signal, { coalesceMs: 20, heartbeatMs: 30 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // nobody reads: the first payload waits
    for (let v = 1; v <= 5; v++) {
      push('MODIFIED', pod('a', String(10 + v), { v: String(v) }));
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    const parsed = reader(stream);
    await expect.poll(() => parsed.events.at(-1)?.data).toEqual({ key: ['traffic', 'list', 'shop'], data: { labels: 'a:5' } });
    expect(parsed.events.length).toBeLessThanOrEqual(3); // the first, at most one stale one in the stream's own queue, the latest
    await expect.poll(() => parsed.comments.length).toBeGreaterThan(0);
    abort.abort();
    await parsed.done;
  });

  it('ends with a reconnect event when the process stops, so a stopping server is not held open by its streams', async () => {
    await podApi([pod('a', '10')]);
    let stops = 0;
    const stream = reader(liveEventStream([trafficShop], async () => ({ labels: await podLabels() }), new AbortController().signal, { onStop: () => stops++ }));
    await expect.poll(() => stream.events.length).toBe(1);
    endOpenStreams();
    await stream.done;
    expect(stream.events.map((e) => e.event)).toEqual(['data', 'reconnect']);
    expect(stops).toBe(1);
    expect(liveStreamsStopping()).toBe(true);
    resetLiveStreams();
    expect(liveStreamsStopping()).toBe(false);
  });

  it('ends by itself after its lifetime with a reconnect event, so the page reopens it and the session is checked again', async () => {
    await podApi([pod('a', '10')]);
    let stops = 0;
    const onStop = () => stops++;
    const stream = reader(
      liveEventStream([trafficShop], async () => ({ labels: await podLabels() }), new AbortController().signal, { lifetimeMs: 300, onStop }),
    );
    await stream.done;
    expect(stream.events.map((e) => e.event)).toEqual(['data', 'reconnect']);
    expect(stops).toBe(1);

    const abort = new AbortController();
    const left = reader(liveEventStream([trafficShop], async () => ({ labels: await podLabels() }), abort.signal, { onStop }));
    abort.abort();
    await left.done;
    expect(stops).toBe(2);
  });

  it('reads Prometheus topics again at the refresh and sends only what changed; with refresh 0 only once', async () => {
    let reads = 0;
    const counter = async () => ({ bucket: Math.floor(++reads / 3) }); // changes every third read
    const metrics: Topic = { kind: 'traffic-live', namespace: 'shop' };
    const every = new AbortController();
    const polled = reader(liveEventStream([metrics], counter, every.signal, { refreshSeconds: 0.05 }));
    await expect.poll(() => polled.events.length, { timeout: 2000 }).toBeGreaterThanOrEqual(3);
    expect(reads).toBeGreaterThanOrEqual(6); // three payloads took at least six reads
    expect(new Set(polled.events.map((e) => JSON.stringify(e.data))).size).toBe(polled.events.length);
    every.abort();
    await polled.done;

    reads = 0;
    const off = new AbortController();
    const once = reader(liveEventStream([metrics], counter, off.signal, { refreshSeconds: 0, coalesceMs: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([reads, once.events.length]).toEqual([1, 1]);
    off.abort();
    await once.done;
  });
});
