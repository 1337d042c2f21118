import { describe, expect, it } from 'vitest';
import { json, streamJson, withArrays } from './responses';

function* lazy<T>(items: T[]) {
  yield* items;
}

describe('json with lazy arrays (streamJson)', () => {
  it('sends the text JSON.stringify makes of the same answer with arrays, in chunks', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({
      name: `route-${i}`,
      namespace: `ns-${i % 7}`,
      weight: i % 100,
      note: i % 3 ? undefined : 'ü "quoted"',
    }));
    const response = json({ items: lazy(items), resourceVersion: '42', skipped: undefined, empty: lazy([]) });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const reader = response.body!.getReader();
    let chunks = 0;
    let text = '';
    const decoder = new TextDecoder();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      chunks++;
      text += decoder.decode(read.value, { stream: true });
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text).toBe(JSON.stringify({ items, resourceVersion: '42', empty: [] }));
  });

  it('streams a lazy body as an array, keeps the status, and leaves plain bodies to NextResponse.json', async () => {
    const streamed = streamJson(lazy([1, undefined, 'x']), 207);
    expect(streamed.status).toBe(207);
    expect(await streamed.text()).toBe('[1,null,"x"]');
    expect(await json({ items: [1, 2] }).text()).toBe('{"items":[1,2]}');
    expect(withArrays({ items: lazy([1, 2]), resourceVersion: '7' })).toEqual({ items: [1, 2], resourceVersion: '7' });
    expect(withArrays(lazy(['a']))).toEqual(['a']);
  });

  it('a failure while writing breaks the body instead of ending it short', async () => {
    function* failing() {
      yield { ok: true };
      throw new Error('view failed');
    }
    await expect(json({ items: failing() }).text()).rejects.toThrow('view failed');
  });
});
