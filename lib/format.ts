// How Meshdeck writes numbers: three significant digits everywhere (tables, cards, chart axes
// and tooltips), with the unit beside them, so the same value reads the same on every page.

/** What a missing value shows. */
export const NO_VALUE = '–';

const SIGNIFICANT = 3;
const SUFFIXES: [number, string][] = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

const missing = (value: number | null | undefined): value is null | undefined => value === null || value === undefined || Number.isNaN(value);

/** `value` rounded to `digits` significant digits, without exponent notation or trailing zeros. */
function significant(value: number, digits: number): string {
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(digits));
  // Below 1e-6 toString switches to exponent notation; toFixed keeps the digits readable.
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(rounded))));
  const fixed = rounded.toFixed(Math.min(decimals, 20));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/**
 * A plain number with three significant digits; thousands and up get k, M or G
 * (`0.0452`, `12.3`, `456`, `1.23k`, `45.7M`). Missing values read `–`.
 */
export function formatNumber(value: number | null | undefined, digits = SIGNIFICANT): string {
  if (missing(value)) return NO_VALUE;
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const rounded = Number(value.toPrecision(digits));
  for (const [size, suffix] of SUFFIXES) if (Math.abs(rounded) >= size) return `${significant(rounded / size, digits)}${suffix}`;
  return significant(rounded, digits);
}

/** Requests (or any events) per second: `12.3/s`. */
export const formatRate = (perSecond: number | null | undefined, digits = SIGNIFICANT) =>
  missing(perSecond) ? NO_VALUE : `${formatNumber(perSecond, digits)}/s`;

/**
 * A ratio (0..1) as a percentage with three significant digits (`0.452%`, `12.3%`, `99.9%`).
 * A value just short of 100 % gets the digits it needs not to read `100%` (an availability of
 * 99.97 % is not 100 %); the same for a value just above 0.
 */
export function formatPercent(ratio: number | null | undefined, digits = SIGNIFICANT): string {
  if (missing(ratio)) return NO_VALUE;
  const percent = ratio * 100;
  let text = significant(percent, digits);
  for (let more = digits + 1; more <= 8 && ((text === '100' && percent !== 100) || (text === '0' && percent !== 0)); more++) text = significant(percent, more);
  return `${text}%`;
}

/** A duration in milliseconds: `0.452 ms`, `123 ms`, `1.23 s`, `2.5 min`. */
export function formatMs(milliseconds: number | null | undefined, digits = SIGNIFICANT): string {
  if (missing(milliseconds)) return NO_VALUE;
  const size = Math.abs(milliseconds);
  if (size >= 60_000 * 0.9995) return `${formatNumber(milliseconds / 60_000, digits)} min`;
  if (size >= 1000 * 0.9995) return `${formatNumber(milliseconds / 1000, digits)} s`;
  return `${formatNumber(milliseconds, digits)} ms`;
}

/** A duration in microseconds (Jaeger's unit), written like {@link formatMs}. */
export const formatMicros = (microseconds: number | null | undefined, digits = SIGNIFICANT) =>
  formatMs(missing(microseconds) ? microseconds : microseconds / 1000, digits);

/** The units Meshdeck's metrics come in. */
export type Unit = 'count' | 'ratio' | 'rps' | 'ms';

/** A value in its unit: the one formatter to hand a value whose unit is data (KPIs, SLOs). */
export function formatValue(value: number | null | undefined, unit: Unit, digits = SIGNIFICANT): string {
  switch (unit) {
    case 'ratio':
      return formatPercent(value, digits);
    case 'rps':
      return formatRate(value, digits);
    case 'ms':
      return formatMs(value, digits);
    case 'count':
      return formatNumber(value, digits);
  }
}
