import { describe, expect, it } from 'vitest';
import { ApiError } from '@/lib/k8s/errors';
import { MAX_BODY_BYTES, readJsonBody } from './body';

const post = (body: BodyInit | null, type: string | null, headers: Record<string, string> = {}) =>
  new Request('http://meshdeck.test/api/x', { method: 'POST', body, headers: { ...(type === null ? {} : { 'content-type': type }), ...headers } });

async function refusal(request: Request) {
  const error = await readJsonBody(request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('readJsonBody', () => {
  it('reads JSON sent as application/json, with or without charset=utf-8', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON;charset="UTF-8"', 'application/json;']) {
      expect(await readJsonBody(post('{"a":[1,"é"]}', type))).toEqual({ a: [1, 'é'] });
    }
  });

  it('415 for any other media type or charset, and for none', async () => {
    // Request() adds text/plain;charset=UTF-8 to a string body without a type: that is refused too.
    for (const type of [
      'text/plain',
      'application/jsonx',
      'application/json-patch+json',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'application/json; boundary=x',
      'multipart/form-data',
      '',
      null,
    ]) {
      expect((await refusal(post('{}', type))).status, String(type)).toBe(415);
    }
  });

  it('400 for bytes that are not UTF-8, naming the problem', async () => {
    const error = await refusal(post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'application/json'));
    expect([error.status, error.message]).toEqual([400, 'The request body is not valid UTF-8']);
  });

  it('400 for invalid or empty JSON', async () => {
    for (const body of ['', '{', '{"a":1,}', 'undefined', "{'a':1}"]) expect((await refusal(post(body, 'application/json'))).status, body).toBe(400);
  });

  it('400 for a __proto__ key at any depth; other keys named like Object members are data', async () => {
    for (const body of ['{"__proto__":{"polluted":true}}', '{"a":[{"b":{"__proto__":1}}]}']) {
      expect((await refusal(post(body, 'application/json'))).message).toContain('__proto__');
    }
    expect(await readJsonBody(post('{"constructor":{"prototype":1}}', 'application/json'))).toEqual({ constructor: { prototype: 1 } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('413 when declared or streamed larger than the limit; the limit itself passes', async () => {
    const atLimit = `"${'a'.repeat(MAX_BODY_BYTES - 2)}"`;
    expect(await readJsonBody(post(atLimit, 'application/json'))).toHaveLength(MAX_BODY_BYTES - 2);
    expect((await refusal(post(`${atLimit} `, 'application/json'))).status).toBe(413);
    expect((await refusal(post('{}', 'application/json', { 'content-length': String(MAX_BODY_BYTES + 1) }))).status).toBe(413);
  });
});
