import { describe, expect, it } from 'vitest';
import { tokenBucketBody } from './security-schemas';

const body = { resourceVersion: '7', reason: 'launch traffic', maxTokens: 100, tokensPerFill: 10 };
const issues = (input: object) => {
  const parsed = tokenBucketBody.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('a token bucket change', () => {
  it('takes any duration a stored bucket may hold, and the bucket pointer', () => {
    for (const fillInterval of ['60s', '0.050s', '1m', '1m30s']) expect(issues({ ...body, fillInterval }), fillInterval).toEqual([]);
    expect(
      tokenBucketBody.parse({ ...body, fillInterval: ' 60s ', bucket: '/spec/configPatches/1/patch/value/typed_config/value/token_bucket' }).fillInterval,
    ).toBe('60s');
  });

  it('names each bad field', () => {
    expect(issues({ ...body, maxTokens: 10, tokensPerFill: 20, fillInterval: '10 parsecs' })).toEqual([
      'fillInterval: must be a duration such as 60s or 0.5s (seconds with an "s", as Envoy reads it)',
      'tokensPerFill: cannot exceed the bucket size (maxTokens)',
    ]);
    expect(issues({ ...body, maxTokens: 0, fillInterval: '1s', bucket: '/metadata/name' })).toEqual([
      'maxTokens: must be at least 1',
      'bucket: must be the JSON pointer of a token bucket, as the security view gives it',
    ]);
  });
});
