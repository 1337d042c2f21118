import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError } from '@/lib/k8s/errors';
import { errorResponse } from './responses';

afterEach(() => vi.restoreAllMocks());

const bodyOf = async (response: Response) =>
  (await response.json()) as { error: { status: number; reason: string; message: string; details?: { id?: string } } };

describe('errorResponse', () => {
  it('a fault of our own is 500 "internal error, id <uuid>"; the detail goes to the log under that id', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let fault: unknown;
    try {
      (undefined as unknown as { x: number }).x.toFixed();
    } catch (error) {
      fault = error;
    }
    for (const error of [fault, new RangeError('Invalid array length'), new Error('boom at /work/main/lib/x.ts:1'), 'a string', null]) {
      const response = errorResponse(error);
      const { error: body } = await bodyOf(response);
      expect(response.status).toBe(500);
      expect(body.message).toMatch(/^internal error, id [0-9a-f-]{36}$/);
      expect(body.message).not.toMatch(/Cannot read|TypeError|Range|boom|\/work/);
      expect(String(log.mock.calls.at(-1)?.[0])).toContain(body.details!.id);
    }
  });

  it('keeps what a person can act on: zod issues as 400, ApiErrors with their status, Kubernetes answers classified', async () => {
    const zod = errorResponse(z.object({ n: z.int() }).safeParse({ n: 'x' }).error);
    expect([zod.status, (await bodyOf(zod)).error.message]).toEqual([400, expect.stringMatching(/^n: /)]);
    const notFound = errorResponse(new ApiError(404, 'VirtualService a/b does not exist'));
    expect((await bodyOf(notFound)).error).toEqual({ status: 404, reason: 'NotFound', message: 'VirtualService a/b does not exist' });
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const unreachable = errorResponse(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }));
    expect([unreachable.status, (await bodyOf(unreachable)).error.message]).toEqual([503, 'The Kubernetes API is unreachable (ECONNREFUSED)']);
    const kube = errorResponse({
      code: 409,
      body: { kind: 'Status', code: 409, reason: 'Conflict', details: { name: 'r', kind: 'virtualservices', group: 'networking.istio.io' } },
    });
    expect(kube.status).toBe(409);
  });
});
