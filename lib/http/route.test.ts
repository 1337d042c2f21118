import { beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiError } from '@/lib/k8s/errors';
import { route } from './route';

// The session is next-auth's, read from the request scope Next sets up; here a stand-in says who calls.
const session = vi.hoisted(() => ({ role: null as null | 'viewer' | 'operator' }));
vi.mock('@/lib/auth/session', () => ({
  requireUser: vi.fn(async (action: string) => {
    if (!session.role) throw new ApiError(401, 'Sign in to use Meshdeck', 'Unauthorized');
    if (action !== 'read' && session.role === 'viewer') throw new ApiError(403, 'Your role (viewer) cannot do this', 'Forbidden');
    return { name: session.role, email: undefined, groups: [], role: session.role };
  }),
}));

beforeEach(() => {
  session.role = 'operator';
});

const params = z.object({ index: z.string().regex(/^\d+$/) });
const call = (handler: ReturnType<typeof route>, init: RequestInit & { url?: string; params?: Record<string, string> } = {}) =>
  handler(new Request(init.url ?? 'http://meshdeck.test/api/x', init), { params: Promise.resolve(init.params ?? {}) });

describe('route()', () => {
  it('checks sign-in and role before looking at params, query or body', async () => {
    const handler = vi.fn(() => ({ ok: true }));
    const read = route({ auth: 'read', params }, handler);
    session.role = null;
    expect((await call(read, { params: { index: 'garbage' } })).status).toBe(401);
    session.role = 'viewer';
    const write = route({ auth: 'traffic:write', params }, handler);
    expect((await call(write, { method: 'PUT', headers: { 'sec-fetch-site': 'same-origin' }, params: { index: 'garbage' } })).status).toBe(403);
    expect(handler).not.toHaveBeenCalled();
  });

  it('refuses a cross-site write before the session is read', async () => {
    const write = route({ auth: 'traffic:write' }, () => ({ ok: true }));
    const response = await call(write, { method: 'PUT', headers: { origin: 'https://evil.example', host: 'meshdeck.test' } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('Cross-site');
  });

  it('hands the handler parsed params, query (empty values absent) and body, and sends its result as JSON', async () => {
    const handler = route(
      { auth: 'read', params, query: z.object({ namespace: z.string().optional(), limit: z.coerce.number() }), body: z.strictObject({ n: z.int() }) },
      (input) => ({ params: input.params, query: input.query, body: input.body, user: input.user?.name }),
    );
    const response = await call(handler, {
      url: 'http://meshdeck.test/api/x?namespace=&limit=5',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"n":3}',
      params: { index: '7' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ params: { index: '7' }, query: { limit: 5 }, body: { n: 3 }, user: 'operator' });
  });

  it('400 for bad params, query or body; 415 for a body that is not JSON; a Response passes through', async () => {
    const handler = route(
      { auth: 'read', params, query: z.object({ limit: z.coerce.number().int().optional() }), body: z.strictObject({ n: z.int() }) },
      () => new Response('teapot', { status: 418 }),
    );
    const good = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}', params: { index: '1' } };
    expect((await call(handler, { ...good, params: { index: 'x' } })).status).toBe(400);
    expect((await call(handler, { ...good, url: 'http://meshdeck.test/api/x?limit=1.5' })).status).toBe(400);
    expect((await call(handler, { ...good, body: '{"n":1,"m":2}' })).status).toBe(400);
    expect((await call(handler, { ...good, headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call(handler, good)).status).toBe(418);
  });

  it('public routes skip the session; a throw of our own is a 500 without its text', async () => {
    session.role = null;
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const broken = route({ auth: 'public' }, () => (null as unknown as { a: { b: number } }).a.b);
    const response = await call(broken);
    const body = (await response.json()) as { error: { status: number; message: string } };
    expect([response.status, body.error.status]).toEqual([500, 500]);
    expect(body.error.message).toMatch(/^internal error, id [0-9a-f-]{36}$/);
    expect((await call(route({ auth: 'public' }, () => ({ status: 'ok' })))).status).toBe(200);
  });
});
