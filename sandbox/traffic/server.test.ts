import { get } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Metrics } from './metrics.ts';
import { serveTraffic } from './server.ts';
import type { TrafficSimulator } from './simulator.ts';

const metrics = new Metrics();
metrics.inc('istio_requests_total', { reporter: 'destination' }, 3);
let served: Awaited<ReturnType<typeof serveTraffic>>;
beforeAll(async () => {
  served = await serveTraffic({ metrics } as unknown as TrafficSimulator, 0);
});
afterAll(() => new Promise<void>((r) => served.server.close(() => r())));

it('serves /metrics gzipped to a scraper that asks for it (Prometheus does), as text to one that does not', async () => {
  const zipped = await fetch(`${served.url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
  expect(zipped.headers.get('content-encoding')).toBe('gzip');
  expect(await zipped.text()).toBe(metrics.text()); // fetch inflates it
  const plain = await new Promise<{ encoding: string | undefined; body: string }>((resolve) =>
    get(`${served.url}/metrics`, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], body }));
    }),
  );
  expect(plain.encoding).toBeUndefined();
  expect(plain.body).toContain('istio_requests_total{reporter="destination"} 3');
});
