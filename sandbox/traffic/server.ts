// The simulator's HTTP endpoint: /metrics for Prometheus and Jaeger's query API (/api/...).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { loadScenario, scenarioDir } from './scenario.ts';
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
    // A development switch for demos and tests: POST /scenario?name=ai-coach-failing
    if (url.pathname === '/scenario' && req.method === 'POST') {
      const name = url.searchParams.get('name') ?? '';
      if (!/^[a-z0-9-]+$/.test(name)) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('give ?name= of a file in sandbox/scenarios (without .yaml)\n');
        return;
      }
      try {
        const scenario = loadScenario(join(scenarioDir, `${name}.yaml`));
        simulator.setScenario(scenario);
        const phases = (scenario.phases ?? []).map((p) => `${p.afterSeconds} s`);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`scenario ${name}${phases.length > 0 ? ` (phases from now: ${phases.join(', ')})` : ''}\n`);
      } catch (error) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`${(error as Error).message}\n`);
      }
      return;
    }
    const answer = jaegerApi(simulator.traces, url);
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end("not found: /metrics serves Prometheus metrics, /api/... Jaeger's query API\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return { server, url: `http://${host}:${(server.address() as AddressInfo).port}` };
}
