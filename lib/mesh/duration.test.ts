import { readFileSync } from 'node:fs';
import { Environment } from '@marcbachmann/cel-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FILL_INTERVAL,
  ISTIO_DURATION,
  ISTIO_TCP_IDLE_TIMEOUT,
  MAX_GO_NANOS,
  MAX_PROTO_NANOS,
  MIN_GO_NANOS,
  NANOS_PER,
  describeDuration,
  durationMs,
  durationNanos,
  formatDuration,
  formatDurationPlain,
  humanDuration,
  formatProtoDuration,
  parseGoDuration,
  parseProtoDuration,
  validateDuration,
} from './duration';

const nanos = (text: string) => {
  const parsed = parseGoDuration(text);
  return parsed.ok ? parsed.nanos : undefined;
};

describe("Go's time.ParseDuration", () => {
  it.each([
    ['1h30m', 5_400_000_000_000n],
    ['1m30s', 90_000_000_000n],
    ['1.5s', 1_500_000_000n],
    ['500ms', 500_000_000n],
    ['0s', 0n],
    ['0', 0n],
    ['300us', 300_000n],
    ['300µs', 300_000n],
    ['300μs', 300_000n],
    ['10ns', 10n],
    ['-1s', -1_000_000_000n],
    ['+2h45m', 9_900_000_000_000n],
    ['1.s', 1_000_000_000n],
    ['.5s', 500_000_000n],
    ['0.050s', 50_000_000n],
    ['2562047h47m16.854775807s', MAX_GO_NANOS],
    ['-9223372036854775808ns', MIN_GO_NANOS],
  ])('%s is %d ns', (text, expected) => {
    expect(nanos(text)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['1', 'missing unit'],
    ['s', 'syntax'],
    ['.s', 'syntax'],
    ['1 s', 'unknown unit'],
    ['5 minutes', 'unknown unit'],
    ['1d', 'unknown unit'],
    ['1S', 'unknown unit'],
    ['1s2', 'missing unit'],
    ['9223372036854775808ns', 'too long'],
    ['2562048h', 'too long'],
  ])('%j is refused (%s)', (text, problem) => {
    const parsed = parseGoDuration(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toBe(problem);
  });

  const table = JSON.parse(readFileSync(new URL('./testdata/go-parse-duration.json', import.meta.url), 'utf8')) as {
    go: string;
    cases: [string, string | null][];
  };

  it(`agrees with ${table.go} on ${table.cases.length} generated strings`, () => {
    expect(table.cases.length).toBeGreaterThan(2000);
    const disagreements = table.cases.filter(([input, go]) => (nanos(input)?.toString() ?? null) !== go);
    expect(disagreements).toEqual([]);
  });

  // An independent model of the grammar, exact in rationals: agrees with Go's float64
  // fractions whenever a fraction has at most 3 digits (unit/scale is then exact).
  const unit = fc.constantFrom(...(Object.keys(NANOS_PER) as (keyof typeof NANOS_PER)[]));
  const part = fc.tuple(fc.bigInt(0n, 100_000n), fc.option(fc.stringMatching(/^\d{1,3}$/), { nil: undefined }), unit, fc.boolean());
  it('agrees with an exact model of the grammar (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom('', '-', '+'), fc.array(part, { minLength: 1, maxLength: 4 }), (sign, parts) => {
        const text =
          sign +
          parts.map(([whole, fraction, u, micro]) => `${whole}${fraction === undefined ? '' : `.${fraction}`}${u === 'us' && micro ? 'µs' : u}`).join('');
        const exact = parts.reduce(
          (sum, [whole, fraction, u]) =>
            sum + whole * NANOS_PER[u] + (fraction === undefined ? 0n : (BigInt(fraction) * NANOS_PER[u]) / 10n ** BigInt(fraction.length)),
          0n,
        );
        expect(nanos(text)).toBe(sign === '-' ? -exact : exact);
      }),
    );
  });

  // The sandbox checks the CRD rule with cel-js: Meshdeck and the API server must agree.
  const cel = new Environment({ unlistedVariablesAreDyn: true }).parse("duration(self) >= duration('1ms')");
  it("accepts exactly what the CRD rule duration(self) >= duration('1ms') accepts (property)", () => {
    const rule = { ...ISTIO_DURATION, wholeMilliseconds: false };
    fc.assert(
      fc.property(fc.constantFrom('', '-'), fc.array(part, { minLength: 1, maxLength: 3 }), (sign, parts) => {
        const text = sign + parts.map(([whole, fraction, u]) => `${whole}${fraction === undefined ? '' : `.${fraction}`}${u}`).join('');
        expect(validateDuration('Interval', text, rule) === undefined).toBe(cel({ self: text }) === true);
      }),
    );
  });
});

describe('formatting', () => {
  it.each([
    [90_000n * NANOS_PER.ms, '1m30s', '90 s'],
    [NANOS_PER.h, '1h', '3,600 s'],
    [5_400n * NANOS_PER.s, '1h30m', '5,400 s'],
    [1_500n * NANOS_PER.ms, '1.5s', '1.5 s'],
    [500n * NANOS_PER.ms, '500ms', '500 ms'],
    [1_500n * NANOS_PER.us, '1.5ms', '1.5 ms'],
    [300n * NANOS_PER.us, '300µs', '300 µs'],
    [10n, '10ns', '10 ns'],
    [0n, '0s', '0 ns'],
    [-NANOS_PER.s, '-1s', '-1 s'],
  ])('%d ns is %s and %s', (value, short, plain) => {
    expect(formatDuration(value)).toBe(short);
    expect(formatDurationPlain(value)).toBe(plain);
  });

  it('parse(format(x)) === x for every Go duration (property)', () => {
    fc.assert(
      fc.property(fc.bigInt(MIN_GO_NANOS, MAX_GO_NANOS), (value) => {
        expect(nanos(formatDuration(value))).toBe(value);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt(-NANOS_PER.h, NANOS_PER.h), (value) => {
        expect(nanos(formatDuration(value))).toBe(value);
      }),
    );
  });

  it('protobuf: parse(format(x)) === x across its range (property)', () => {
    fc.assert(
      fc.property(fc.bigInt(-MAX_PROTO_NANOS, MAX_PROTO_NANOS), (value) => {
        const parsed = parseProtoDuration(formatProtoDuration(value));
        expect(parsed.ok && parsed.nanos).toBe(value);
      }),
    );
  });

  it('describes a stored string without rewriting it', () => {
    expect(describeDuration('90s')).toBe('1m30s');
    expect(describeDuration('1m30s')).toBe('90 s');
    expect(describeDuration('3600s')).toBe('1h');
    expect(describeDuration('0.050s')).toBe('50ms');
    expect(describeDuration('1.5e3s')).toBeUndefined();
    expect(describeDuration('5400000ms')).toBe('1h30m = 5,400 s');
    expect(describeDuration('30s')).toBeUndefined();
    expect(describeDuration('10 parsecs')).toBeUndefined();
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('300us')).toBe(0.3);
    expect(durationNanos(undefined)).toBeUndefined();
  });
});

describe('protobuf JSON durations (Envoy)', () => {
  it.each([
    ['60s', 60n * NANOS_PER.s],
    ['0.050s', 50n * NANOS_PER.ms],
    ['0.5s', 500n * NANOS_PER.ms],
    ['1.000000001s', NANOS_PER.s + 1n],
    ['-1.5s', -1_500n * NANOS_PER.ms],
  ])('%s', (text, expected) => {
    const parsed = parseProtoDuration(text);
    expect(parsed.ok && parsed.nanos).toBe(expected);
  });

  it.each(['1m', '500ms', '1.0000000001s', '.5s', '1.s', '1 s', '', '315576000001s'])('refuses %j', (text) => {
    expect(parseProtoDuration(text).ok).toBe(false);
  });
});

describe('per-field rules, with messages a person can act on', () => {
  it('Istio CRD fields: at least 1ms, whole milliseconds, any Go form', () => {
    for (const ok of ['1m30s', '1.5s', '1h', '500ms', '1ms', '1000us', '0.001s']) expect(validateDuration('Interval', ok, ISTIO_DURATION), ok).toBeUndefined();
    expect(validateDuration('Connect timeout', '10 parsecs', ISTIO_DURATION)).toBe(
      'Connect timeout: "10 parsecs" is not a duration ("parsecs" is not a unit); use a number and a unit (h, m, s, ms, us, ns), such as 30s, 1m30s, 1.5s or 500ms',
    );
    expect(validateDuration('Interval', '0s', ISTIO_DURATION)).toBe('Interval must be at least 1ms (Istio refuses 0s)');
    expect(validateDuration('Interval', '-1s', ISTIO_DURATION)).toBe('Interval must be at least 1ms, and not negative (Istio refuses -1s)');
    expect(validateDuration('Interval', '999us', ISTIO_DURATION)).toContain('at least 1ms');
    expect(validateDuration('Interval', '1.5ms', ISTIO_DURATION)).toBe('Interval: Istio accepts whole milliseconds only; 1.5ms is 1.5ms, use 1ms or 2ms');
    expect(validateDuration('Interval', '15', ISTIO_DURATION)).toContain('every number needs a unit');
    expect(validateDuration('Interval', '3000000h', ISTIO_DURATION)).toContain('too long');
  });

  it('tcp idle timeout: 0s turns it off', () => {
    expect(validateDuration('Idle timeout', '0s', ISTIO_TCP_IDLE_TIMEOUT)).toBeUndefined();
    expect(validateDuration('Idle timeout', '0.5ms', ISTIO_TCP_IDLE_TIMEOUT)).toContain('at least 1ms');
  });

  it('fill interval: protobuf JSON, at least 50ms', () => {
    expect(validateDuration('Fill interval', '60s', FILL_INTERVAL)).toBeUndefined();
    expect(validateDuration('Fill interval', '0.050s', FILL_INTERVAL)).toBeUndefined();
    expect(validateDuration('Fill interval', '0.049s', FILL_INTERVAL)).toBe('Fill interval must be at least 50ms (Envoy refuses 0.049s)');
    expect(validateDuration('Fill interval', '1m', FILL_INTERVAL)).toBe(
      'Fill interval: "1m" is not a duration (protobuf durations are seconds with an "s", such as 60s or 0.5s); use seconds with an "s", such as 60s, 1.5s or 0.050s (up to 9 decimals); Envoy reads protobuf JSON, so write 60s',
    );
  });
});

describe('humanDuration', () => {
  it('spells a one-unit duration for sentences, writes others plainly, and leaves non-durations alone', () => {
    expect(['2m', '1h', '30s', '1m', '500ms'].map(humanDuration)).toEqual(['2 minutes', '1 hour', '30 seconds', '1 minute', '500 milliseconds']);
    expect(humanDuration('1h30m')).toBe('5,400 s');
    expect(humanDuration('soon')).toBe('soon');
  });
});
