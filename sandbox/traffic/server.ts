// The simulator's HTTP endpoint: /metrics for Prometheus and Jaeger's query API (/api/...).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TrafficSimulator } from './simulator.ts';
import { jaegerApi } from './traces.ts';

export async function serveTraffic(simulator: TrafficSimulator, port: number, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(simulator.metrics.text());
      return;
    }
    const answer = jaegerApi(simulator.traces, url);
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found: /metrics serves Prometheus metrics, /api/... Jaeger\'s query API\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}
