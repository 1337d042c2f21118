import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient, OutsideSystemError } from './client';

// A tiny outside system: each path answers one way.
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/ok')) {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, path, body, auth: req.headers.authorization })),
      );
    } else if (path === '/slow') setTimeout(() => res.writeHead(200).end('{}'), 1500);
    else if (path === '/html') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    else if (path === '/missing') res.writeHead(404).end(JSON.stringify({ errors: [{ msg: 'trace abc not found' }] }));
    else if (path === '/bad-query') res.writeHead(400).end(JSON.stringify({ errors: [{ msg: 'parse error at char 3' }] }));
    else if (path === '/locked') res.writeHead(401).end('no');
    else res.writeHead(500, 'Internal Server Error').end('boom');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (url: string | undefined = base) =>
  httpClient({
    name: 'Tracer',
    urlVariable: 'TRACER_URL',
    credentialsHint: 'TRACER_TOKEN',
    connection: () => ({ url, headers: { authorization: 'Bearer t' } }),
    errorMessage: (body) => (body as { errors?: { msg: string }[] }).errors?.[0]?.msg,
  });

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: OutsideSystemError) => ({ failure: error.failure, status: error.status, message: error.message }),
  );

describe('httpClient', () => {
  it('GETs with a query string (empty values left out) and POSTs forms, with the headers, resolving to the JSON body', async () => {
    await expect(client()('/ok', { query: { a: '1', b: '', c: undefined } })).resolves.toEqual({ method: 'GET', path: '/ok?a=1', body: '', auth: 'Bearer t' });
    await expect(client()('/ok', { form: { query: 'up' } })).resolves.toMatchObject({ method: 'POST', body: 'query=up' });
  });

  it('maps each way a call fails to a status and a message a person can act on', async () => {
    expect(await failure(client('')('/ok'))).toEqual({ failure: 'not-configured', status: 503, message: 'Tracer is not configured: set TRACER_URL' });
    const where = `Tracer at ${base.slice(0, -1)}`;
    expect(await failure(client()('/slow', { timeoutMs: 200 }))).toEqual({ failure: 'timeout', status: 503, message: `${where} did not answer within 200 ms` });
    expect(await failure(client()('/html'))).toEqual({
      failure: 'bad-json',
      status: 502,
      message: `${where} answered /html with something that is not JSON: <html>login</html>`,
    });
    expect(await failure(client()('/missing'))).toEqual({ failure: 'not-found', status: 404, message: 'Tracer: trace abc not found' });
    expect(await failure(client()('/bad-query'))).toEqual({ failure: 'rejected', status: 400, message: 'Tracer rejected the request: parse error at char 3' });
    expect(await failure(client()('/locked'))).toEqual({
      failure: 'credentials',
      status: 502,
      message: `${where} refused Meshdeck's credentials (401): check TRACER_TOKEN`,
    });
    expect(await failure(client()('/error'))).toEqual({ failure: 'server-error', status: 502, message: `${where} failed: 500 Internal Server Error` });
  });

  it('says an address nothing listens on is unreachable, with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(client(url)('/ok'));
    expect(error).toMatchObject({ failure: 'unreachable', status: 503 });
    expect(error?.message).toMatch(new RegExp(`^Tracer at ${url} is unreachable \\(.*ECONNREFUSED`));
  });
});
