// Durations as Istio and Envoy read them: one parser for every duration Meshdeck reads or
// validates, exact to the nanosecond (bigint), with the per-field rules of the CRDs.
//
// Istio's CRDs check a duration with CEL `duration(self) >= duration('1ms')`; cel-go's
// duration() is Go's time.ParseDuration, so "1h30m", "1.5s", "500ms", "300us", "µs" and "-1s"
// all parse, and the rule then refuses what is shorter than 1ms. istiod's validating webhook
// adds that a duration must be whole milliseconds. Envoy's own protos (an EnvoyFilter's
// token bucket) are protobuf JSON instead: seconds only, "60s" or "0.050s".

/** The largest and smallest Go durations (int64 nanoseconds). */
export const MAX_GO_NANOS = 2n ** 63n - 1n;
export const MIN_GO_NANOS = -(2n ** 63n);
/** protobuf's Duration range: ±315,576,000,000 seconds (10,000 years). */
export const MAX_PROTO_NANOS = 315_576_000_000n * 1_000_000_000n + 999_999_999n;

export const NANOS_PER = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n } as const;

const GO_UNITS: Record<string, bigint> = {
  ns: NANOS_PER.ns,
  us: NANOS_PER.us,
  µs: NANOS_PER.us,
  μs: NANOS_PER.us,
  ms: NANOS_PER.ms,
  s: NANOS_PER.s,
  m: NANOS_PER.m,
  h: NANOS_PER.h,
};

/** Why a string is not a duration, in terms a person can act on. */
export type DurationProblem = 'empty' | 'syntax' | 'missing unit' | 'unknown unit' | 'too long';

export type ParsedDuration = { ok: true; nanos: bigint } | { ok: false; problem: DurationProblem; detail: string };

const fail = (problem: DurationProblem, detail: string): ParsedDuration => ({ ok: false, problem, detail });
const TWO_63 = 2n ** 63n;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/**
 * Go's `time.ParseDuration`, step for step (so cel-go's `duration()` in the CRD rules):
 * a possibly signed sequence of decimal numbers, each with an optional fraction and a unit
 * (ns, us, µs, ms, s, m, h), or a bare "0". Fractions are computed in float64 exactly as Go
 * does, so the nanoseconds agree with Go's even for long fractions.
 */
export function parseGoDuration(text: string): ParsedDuration {
  let s = text;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, nanos: 0n };
  if (s === '') return fail(text === '' ? 'empty' : 'syntax', 'a sign needs a number after it');
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return fail('syntax', `"${s[0]}" where a number should start`);
    // Integer part; Go refuses more than 2^63 here.
    let i = 0;
    let v = 0n;
    for (; isDigit(s[i]); i++) {
      if (v > TWO_63 / 10n) return fail('too long', 'the number is too large');
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) return fail('too long', 'the number is too large');
    }
    const pre = i > 0;
    s = s.slice(i);
    // Fraction: digits past int64 precision are read and ignored, as Go does.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let overflow = false;
      let j = 0;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (TWO_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > TWO_63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return fail('syntax', 'a "." needs digits');
    let u = 0;
    while (u < s.length && s[u] !== '.' && !isDigit(s[u])) u++;
    if (u === 0) return fail('missing unit', 'every number needs a unit');
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = GO_UNITS[unitName];
    if (unit === undefined) return fail('unknown unit', GO_UNITS[unitName.trim()] ? 'no spaces inside a duration' : `"${unitName.trim()}" is not a unit`);
    if (v > TWO_63 / unit) return fail('too long', 'longer than Go can hold (about 292 years)');
    v *= unit;
    // Go: v += uint64(float64(f) * (float64(unit) / scale)); float64 is JavaScript's number.
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) return fail('too long', 'longer than Go can hold (about 292 years)');
    }
    total += v;
    if (total > TWO_63) return fail('too long', 'longer than Go can hold (about 292 years)');
  }
  if (neg) return { ok: true, nanos: -total };
  if (total > MAX_GO_NANOS) return fail('too long', 'longer than Go can hold (about 292 years)');
  return { ok: true, nanos: total };
}

const PROTO = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/;

/**
 * protobuf's JSON form of google.protobuf.Duration, as Envoy reads it: seconds with up to
 * nine fractional digits and an "s" ("60s", "0.050s", "-1.5s"), within ±315,576,000,000 s.
 */
export function parseProtoDuration(text: string): ParsedDuration {
  if (text === '') return fail('empty', 'no value');
  const m = PROTO.exec(text);
  if (!m) return fail('syntax', 'protobuf durations are seconds with an "s", such as 60s or 0.5s');
  const magnitude = BigInt(m[2]!) * NANOS_PER.s + BigInt((m[3] ?? '').padEnd(9, '0'));
  if (magnitude > MAX_PROTO_NANOS) return fail('too long', 'longer than protobuf allows (10,000 years)');
  return { ok: true, nanos: m[1] ? -magnitude : magnitude };
}

/** The nanoseconds of a Go duration string, or undefined when it is absent or not one. */
export function durationNanos(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  const parsed = parseGoDuration(text.trim());
  return parsed.ok ? parsed.nanos : undefined;
}

/**
 * Milliseconds (fractional below 1ms) of a duration string, or undefined. Reads Go's form
 * and so also protobuf's ("0.050s" is valid Go), for arithmetic such as retries × per-try.
 */
export function durationMs(text: string | undefined): number | undefined {
  const nanos = durationNanos(text);
  return nanos === undefined ? undefined : Number(nanos) / 1e6;
}

/** A decimal with the trailing zeros of its fraction dropped: 1500000n / 1e6 → "1.5". */
function decimal(nanos: bigint, unit: bigint): string {
  const whole = nanos / unit;
  const rest = nanos % unit;
  if (rest === 0n) return whole.toString();
  const width = unit.toString().length - 1;
  return `${whole}.${rest.toString().padStart(width, '0').replace(/0+$/, '')}`;
}

/**
 * The shortest Go duration string for a number of nanoseconds: "1h30m", "1m30s", "1.5s",
 * "500ms", "300µs", "0s". It parses back to exactly the same value.
 */
export function formatDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  // Written from the magnitude: -2^63 has no positive int64, but bigint does not care.
  if (nanos < 0n) return `-${formatDuration(-nanos)}`;
  if (nanos < NANOS_PER.us) return `${nanos}ns`;
  if (nanos < NANOS_PER.ms) return `${decimal(nanos, NANOS_PER.us)}µs`;
  if (nanos < NANOS_PER.s) return `${decimal(nanos, NANOS_PER.ms)}ms`;
  const h = nanos / NANOS_PER.h;
  const m = (nanos % NANOS_PER.h) / NANOS_PER.m;
  const s = nanos % NANOS_PER.m;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${decimal(s, NANOS_PER.s)}s` : ''}`;
}

/** protobuf's JSON form of a duration: "90s", "0.05s" (seconds, at most nine decimals). */
export function formatProtoDuration(nanos: bigint): string {
  return nanos < 0n ? `-${decimal(-nanos, NANOS_PER.s)}s` : `${decimal(nanos, NANOS_PER.s)}s`;
}

/** One number and a spaced unit, for reading at a glance: "90 s", "1.5 ms", "250 µs". */
export function formatDurationPlain(nanos: bigint): string {
  const magnitude = nanos < 0n ? -nanos : nanos;
  const sign = nanos < 0n ? '-' : '';
  const [unit, name] =
    magnitude >= NANOS_PER.s
      ? [NANOS_PER.s, 's']
      : magnitude >= NANOS_PER.ms
        ? [NANOS_PER.ms, 'ms']
        : magnitude >= NANOS_PER.us
          ? [NANOS_PER.us, 'µs']
          : [1n, 'ns'];
  return `${sign}${Number(decimal(magnitude, unit)).toLocaleString('en-US', { maximumFractionDigits: 9 })} ${name}`;
}

/**
 * What a duration string reads as, beside the string itself (editors keep that verbatim):
 * its short Go form and its plain form, those that say more than the text. "90s" → "1m30s",
 * "1m30s" → "90 s", "3600s" → "1h", "0.050s" → "50ms"; undefined when the text says it
 * already ("30s") or is not a duration.
 */
export function describeDuration(text: string): string | undefined {
  const nanos = durationNanos(text);
  if (nanos === undefined) return undefined;
  // "90 s" and "3,600 s" say what "90s" and "3600s" say.
  const bare = (r: string) => r.replace(/[ ,]/g, '');
  const short = formatDuration(nanos);
  const plain = formatDurationPlain(nanos);
  const readings = (bare(plain) === short ? [short] : [short, plain]).filter((r) => bare(r) !== text.trim());
  return readings.length ? readings.join(' = ') : undefined;
}

const UNIT_WORDS: Record<string, string> = { ns: 'nanosecond', us: 'microsecond', µs: 'microsecond', ms: 'millisecond', s: 'second', m: 'minute', h: 'hour' };

/**
 * A duration for sentences: "2m" → "2 minutes", "1h" → "1 hour"; a compound or fractional one
 * in its plain form ("1h30m" → "5,400 s"); text that is not a duration as it is.
 */
export function humanDuration(text: string): string {
  const nanos = durationNanos(text);
  if (nanos === undefined) return text;
  const single = /^(\d+)(ns|us|µs|ms|s|m|h)$/.exec(text.trim());
  if (!single) return formatDurationPlain(nanos);
  return `${single[1]} ${UNIT_WORDS[single[2]!]}${single[1] === '1' ? '' : 's'}`;
}

/** A field's rule for its durations: which syntax and which range its consumer accepts. */
export interface DurationRule {
  /** 'go': Istio's CRD fields (CEL duration(), Go syntax); 'protobuf': Envoy's JSON. */
  syntax: 'go' | 'protobuf';
  /** The shortest accepted duration, in nanoseconds. */
  min: bigint;
  /** istiod's webhook refuses sub-millisecond parts ("only durations to ms precision"). */
  wholeMilliseconds: boolean;
  /** A zero that turns the setting off, accepted despite `min`. */
  zeroDisables?: boolean;
  /** Who enforces the rule, for the message. */
  by: string;
}

/**
 * The rule of every duration field of Istio's networking CRDs that Meshdeck edits:
 * `duration(self) >= duration('1ms')` ("must be a valid duration greater than 1ms") on each,
 * and istiod's ValidateDuration (at least 1ms, whole milliseconds).
 */
export const ISTIO_DURATION: DurationRule = { syntax: 'go', min: NANOS_PER.ms, wholeMilliseconds: true, by: 'Istio' };

/** tcp.idleTimeout has no CEL rule; istiod lets 0s through as "no idle timeout". */
export const ISTIO_TCP_IDLE_TIMEOUT: DurationRule = { ...ISTIO_DURATION, zeroDisables: true };

/** Envoy's local rate limit refuses token-bucket fill intervals under 50ms. */
export const FILL_INTERVAL: DurationRule = { syntax: 'protobuf', min: 50n * NANOS_PER.ms, wholeMilliseconds: false, by: 'Envoy' };

const EXAMPLES = {
  go: 'a number and a unit (h, m, s, ms, us, ns), such as 30s, 1m30s, 1.5s or 500ms',
  protobuf: 'seconds with an "s", such as 60s, 1.5s or 0.050s (up to 9 decimals)',
};

/**
 * Checks a duration against its field's rule; returns a message for a person, or undefined
 * when the consumer will accept it. Messages start with the field's label.
 */
export function validateDuration(label: string, raw: string, rule: DurationRule): string | undefined {
  const value = raw.trim();
  const parsed = rule.syntax === 'go' ? parseGoDuration(value) : parseProtoDuration(value);
  if (!parsed.ok) {
    if (parsed.problem === 'too long') return `${label}: "${value}" is too long (${parsed.detail})`;
    // "1m" is a fine Go duration but not protobuf JSON: say what to write instead.
    const asGo = rule.syntax === 'protobuf' ? parseGoDuration(value) : undefined;
    const instead = asGo?.ok ? `; ${rule.by} reads protobuf JSON, so write ${formatProtoDuration(asGo.nanos)}` : '';
    return `${label}: "${value}" is not a duration (${parsed.detail}); use ${EXAMPLES[rule.syntax]}${instead}`;
  }
  const { nanos } = parsed;
  if (nanos === 0n && rule.zeroDisables) return undefined;
  if (nanos < rule.min) return `${label} must be at least ${formatDuration(rule.min)}${nanos < 0n ? ', and not negative' : ''} (${rule.by} refuses ${value})`;
  if (rule.wholeMilliseconds && nanos % NANOS_PER.ms !== 0n) {
    const down = (nanos / NANOS_PER.ms) * NANOS_PER.ms;
    return `${label}: ${rule.by} accepts whole milliseconds only; ${value} is ${formatDuration(nanos)}, use ${formatDuration(down)} or ${formatDuration(down + NANOS_PER.ms)}`;
  }
  return undefined;
}
