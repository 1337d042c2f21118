import { describe, expect, it } from 'vitest';
import type { ApiError } from './errors';
import { fakeApiPerTest, sendEvents, sendJson } from './fake-api';
import { kubeRequest, kubeWatch } from './http';

const startFakeApi = fakeApiPerTest();
const path = '/api/v1/namespaces/shop/pods';

describe('kubeWatch', () => {
  it('rejects with the Status of a non-2xx answer (HTTP 410 on a watch)', async () => {
    await startFakeApi((_request, response) => sendJson(response, 410, { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version: 1 (5)' }));
    await expect(kubeWatch({ path }, () => undefined, () => undefined)).rejects.toMatchObject({ status: 410, reason: 'Expired' });
  });

  it('ends a stream that goes silent, so the cache reconnects instead of waiting forever', async () => {
    await startFakeApi((_request, response) => sendEvents(response, [], true));
    const closed = await new Promise<ApiError | undefined>((resolve) => void kubeWatch({ path, idleTimeoutMs: 50 }, () => undefined, resolve));
    expect([closed?.status, closed?.message]).toEqual([504, 'The Kubernetes API did not answer in time']);
  });

  it('calls nothing more once aborted', async () => {
    await startFakeApi((_request, response) => sendEvents(response, [{ type: 'ADDED', object: { metadata: { name: 'a' } } }], true));
    const events: unknown[] = [];
    let closed = false;
    const watch = await kubeWatch({ path }, (event) => events.push(event), () => (closed = true));
    await expect.poll(() => events.length).toBe(1);
    watch.abort();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed).toBe(false);
  });
});

describe('kubeRequest', () => {
  it('sends the Accept header asked for, and impersonation headers', async () => {
    const api = await startFakeApi((_request, response) => sendJson(response, 200, { items: [] }));
    await kubeRequest({ path, accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json', impersonate: { user: 'ann', groups: ['a', 'b'] } });
    const headers = api.requests[0]!.headers;
    expect([headers.accept, headers['impersonate-user'], headers['impersonate-group'], headers.authorization]).toEqual(['application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json', 'ann', 'a, b', 'Bearer fake-token']);
  });
});
