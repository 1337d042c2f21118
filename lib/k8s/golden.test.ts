// Every error a real kube-apiserver 1.24 (with Istio's CRDs) answered in ../shared/k8s-golden,
// fed to lib/k8s the way it arrives (HTTP status + body text), and the outcome Meshdeck shows.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFromStatus, toApiError } from './errors';
import { fakeApiPerTest, sendEvents, sendJson } from './fake-api';
import { kubeWatch, type KubeWatchEvent } from './http';
import { virtualServices } from './resources';
import { jsonPatch } from './writes';

const GOLDEN = join(process.cwd(), '..', 'shared', 'k8s-golden', 'exchanges');

interface Exchange {
  file: string;
  request: { method: string; path: string; body: unknown };
  response: { status: number; body: unknown };
}

function loadExchanges(): Exchange[] {
  if (!existsSync(GOLDEN)) {
    throw new Error(`The golden Kubernetes exchanges are missing: expected them in ${GOLDEN} (../shared/k8s-golden/exchanges beside the repository)`);
  }
  return readdirSync(GOLDEN)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(GOLDEN, file), 'utf8')) as Omit<Exchange, 'file'>) }));
}

const exchanges = loadExchanges();
const startFakeApi = fakeApiPerTest();
const exchange = (number: string) => exchanges.find((e) => e.file.startsWith(`${number}-`))!;

type Outcome = { status: number; reason: string; causes?: [string, string][]; message: string | RegExp };

const forbidden = /^virtualservices\.networking\.istio\.io( "nutrition-service")? is forbidden: User "[^"]+" cannot (list|patch) resource "virtualservices"/;
const conflict = 'VirtualService "nutrition-service" changed since it was read';

/** Exchange number → what toApiError makes of the recorded answer. */
const expected: Record<string, Outcome> = {
  '08': { status: 404, reason: 'NotFound', message: 'VirtualService "does-not-exist" does not exist' },
  '16': { status: 400, reason: 'BadRequest', message: /^the API version in the data \(networking\.istio\.io\/v1beta1\) does not match/ },
  '17': {
    status: 422,
    reason: 'Invalid',
    causes: [['FieldValueTypeInvalid', 'spec.http[0].route[0].weight'], ['FieldValueInvalid', '<nil>']],
    message: 'VirtualService "bad-weight" is invalid: spec.http[0].route[0].weight: must be of type integer: "string"',
  },
  '18': {
    status: 422,
    reason: 'Invalid',
    causes: [['FieldValueRequired', 'spec.http[0].route[0].destination'], ['FieldValueInvalid', '<nil>']],
    message: 'VirtualService "missing-destination" is invalid: spec.http[0].route[0].destination: required',
  },
  '19': { status: 400, reason: 'BadRequest', message: /strict decoding error: unknown field "spec\.retryBudget"$/ },
  '21': { status: 422, reason: 'Invalid', causes: [['FieldValueInvalid', 'spec']], message: 'AuthorizationPolicy "both-selector-and-targetref" is invalid: spec: only one of targetRefs or selector can be set' },
  '22': {
    status: 422,
    reason: 'Invalid',
    causes: [['FieldValueInvalid', 'spec.trafficPolicy.outlierDetection.interval']],
    message: 'DestinationRule "bad-duration" is invalid: spec.trafficPolicy.outlierDetection.interval: must be a valid duration greater than 1ms',
  },
  '24': {
    status: 422,
    reason: 'Invalid',
    causes: [['FieldValueInvalid', 'spec.trafficPolicy.outlierDetection.interval']],
    message: 'DestinationRule "tiny-duration" is invalid: spec.trafficPolicy.outlierDetection.interval: must be a valid duration greater than 1ms',
  },
  // 25, 32, 33: the API does not say why a JSON patch did not apply; jsonPatch finds out below.
  '25': { status: 422, reason: 'Invalid', causes: [], message: 'The Kubernetes API refused the change to the object as invalid without naming a field' },
  '27': { status: 400, reason: 'BadRequest', message: /^error decoding patch/ },
  '28': { status: 409, reason: 'Conflict', message: conflict },
  '29': { status: 409, reason: 'Conflict', message: conflict },
  '30': { status: 409, reason: 'Conflict', message: conflict },
  '31': { status: 404, reason: 'NotFound', message: 'VirtualService "does-not-exist" does not exist' },
  '32': { status: 422, reason: 'Invalid', causes: [], message: 'The Kubernetes API refused the change to the object as invalid without naming a field' },
  '33': { status: 422, reason: 'Invalid', causes: [], message: 'The Kubernetes API refused the change to the object as invalid without naming a field' },
  '34': { status: 415, reason: 'UnsupportedMediaType', message: /^the body of the request was in an unknown format/ },
  '35': { status: 415, reason: 'UnsupportedMediaType', message: /^the body of the request was in an unknown format/ },
  '36': { status: 422, reason: 'Invalid', causes: [['FieldValueRequired', 'fieldManager']], message: 'The request is invalid: fieldManager: is required for apply patch' },
  '38': { status: 409, reason: 'Conflict', causes: [['FieldManagerConflict', '.spec.http']], message: 'The change conflicts with fields another field manager owns: .spec.http: conflict with "alice"' },
  '40': { status: 404, reason: 'NotFound', message: 'Namespace "nope" does not exist' },
  '41': { status: 404, reason: 'NotFound', message: 'Namespace "nope" does not exist' },
  '43': { status: 409, reason: 'AlreadyExists', message: 'Lease "meshdeck-leader" already exists' },
  '45': { status: 403, reason: 'Forbidden', message: /at the cluster scope$/ },
  '46': { status: 403, reason: 'Forbidden', message: forbidden },
  '47': { status: 403, reason: 'Forbidden', message: forbidden },
  '49': { status: 403, reason: 'Forbidden', message: forbidden },
  '50': { status: 403, reason: 'Forbidden', message: /^users "admin" is forbidden: User "viewer" cannot impersonate/ },
  '53': { status: 401, reason: 'Unauthorized', message: /did not accept the dashboard's credentials/ },
  '54': { status: 403, reason: 'Forbidden', message: /User "system:anonymous" cannot list/ },
  '59': { status: 400, reason: 'BadRequest', message: /^unable to parse requirement/ },
  '61': { status: 504, reason: 'Timeout', causes: [['ResourceVersionTooLarge', '']], message: /^Timeout: Too large resource version/ },
  '66': { status: 410, reason: 'Expired', message: /^The provided continue parameter is too old/ },
  '67': { status: 410, reason: 'Expired', message: 'The resourceVersion for the provided list is too old.' },
  '68': { status: 409, reason: 'Conflict', message: 'VirtualService "ai-coach-service" changed since it was read' },
  '71': { status: 404, reason: 'NotFound', message: 'VirtualService "does-not-exist" does not exist' },
};

/** What a person reads: one line of prose, no JSON, no stack, no CEL "<nil>" note. */
function expectReadable(message: string) {
  expect(message.length).toBeGreaterThan(10);
  expect(message).not.toMatch(/^[{[]|\n\s+at |<nil>|some validation rules were not checked/);
}

describe('golden exchanges from a real kube-apiserver', () => {
  it('holds all 74 exchanges, and the table covers every error among them', () => {
    expect(exchanges).toHaveLength(74);
    const errors = exchanges.filter((e) => e.response.status >= 300).map((e) => e.file.slice(0, 2));
    expect(errors.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const e of exchanges.filter((x) => x.response.status >= 300)) {
    const want = expected[e.file.slice(0, 2)]!;
    it(`${e.file}: ${want.status} ${want.reason}`, () => {
      const error = toApiError({ code: e.response.status, body: JSON.stringify(e.response.body) });
      expect(error).toBeInstanceOf(ApiError);
      expect(error.status).toBe(want.status);
      expect(error.reason).toBe(want.reason);
      if (want.causes) expect(error.causes.map((c) => [c.reason, c.field])).toEqual(want.causes);
      if (typeof want.message === 'string') expect(error.message).toBe(want.message);
      else expect(error.message).toMatch(want.message);
      expectReadable(error.message);
    });
  }

  it('65: a watch ERROR event inside HTTP 200 is a 410 Expired', () => {
    const [event] = exchange('65').response.body as { type: string; object: unknown }[];
    expect(event?.type).toBe('ERROR');
    const error = apiErrorFromStatus(event?.object);
    expect([error.status, error.reason]).toEqual([410, 'Expired']);
  });
});

describe('golden watch streams through kubeWatch', () => {
  const watch = async (number: string) => {
    const events = exchange(number).response.body as unknown[];
    const api = await startFakeApi((_request, response) => sendEvents(response, events));
    const seen: KubeWatchEvent[] = [];
    const closed = await new Promise<ApiError | undefined>((resolve) => {
      void kubeWatch({ path: '/apis/networking.istio.io/v1/namespaces/ai-nutritionist/virtualservices' }, (event) => seen.push(event), resolve);
    });
    return { seen, closed, api };
  };

  it('62: ADDED, MODIFIED, DELETED, then a normal end', async () => {
    const { seen, closed, api } = await watch('62');
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(closed).toBeUndefined();
    expect(api.requests[0]!.url.searchParams.get('watch')).toBe('true');
  });

  it('64: a BOOKMARK carries only a resourceVersion', async () => {
    const { seen } = await watch('64');
    expect(seen.map((e) => e.type)).toEqual(['BOOKMARK']);
    expect(Object.keys((seen[0]!.object as { metadata: object }).metadata)).toEqual(['resourceVersion']);
  });

  it('65: an ERROR event ends the watch with 410 Expired instead of reaching the cache as an object', async () => {
    const { seen, closed } = await watch('65');
    expect(seen).toEqual([]);
    expect([closed?.status, closed?.reason]).toEqual([410, 'Expired']);
  });
});

describe('jsonPatch on the golden 422s: conflict or invalid, decided by re-reading the object', () => {
  /** The recorded PATCH answer, then `current` for the re-read GET. */
  async function patchAgainst(number: string, current: unknown) {
    const recorded = exchange(number);
    const api = await startFakeApi((request, response) => {
      if (request.method === 'PATCH') return sendJson(response, recorded.response.status, recorded.response.body);
      sendJson(response, 200, current);
    });
    const error = await jsonPatch(virtualServices, 'ai-nutritionist', 'nutrition-service', recorded.request.body as unknown[]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(api.requests.map((r) => r.method)).toEqual(['PATCH', 'GET']);
    return error as ApiError;
  }
  // The object as it was when 25 was sent (07), and when 32 and 33 were (26: annotated since).
  const before25 = exchange('07').response.body;
  const before32 = exchange('26').response.body;

  it('25: a test op that no longer holds is a 409 Conflict naming what changed', async () => {
    const error = await patchAgainst('25', before25);
    expect([error.status, error.reason]).toEqual([409, 'Conflict']);
    expect(error.message).toBe('VirtualService ai-nutritionist/nutrition-service changed since it was read: /spec/http/0/route/0/weight is now 80, expected 7');
  });

  it('32: a replace at a missing path is a 422 naming the path', async () => {
    const error = await patchAgainst('32', before32);
    expect([error.status, error.reason]).toEqual([422, 'Invalid']);
    expect(error.message).toBe('The change does not apply to VirtualService ai-nutritionist/nutrition-service: /spec/tcp/0/route/0/weight does not exist, so it cannot be replaced');
  });

  it('33: a remove of a missing key is a 422 naming the path', async () => {
    const error = await patchAgainst('33', before32);
    expect([error.status, error.reason]).toEqual([422, 'Invalid']);
    expect(error.message).toBe('The change does not apply to VirtualService ai-nutritionist/nutrition-service: /metadata/labels/not-there does not exist, so it cannot be removed');
  });

  it('17: a 422 with causes is passed on as it is, without a re-read', async () => {
    const recorded = exchange('17');
    const api = await startFakeApi((_request, response) => sendJson(response, recorded.response.status, recorded.response.body));
    const error = (await jsonPatch(virtualServices, 'ai-nutritionist', 'bad-weight', [{ op: 'replace', path: '/spec/http/0/route/0/weight', value: 'abc' }]).catch((e: unknown) => e)) as ApiError;
    expect([error.status, error.causes.length]).toEqual([422, 2]);
    expect(api.requests).toHaveLength(1);
  });
});
