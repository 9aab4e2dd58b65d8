// Exact arithmetic on the API's decimal strings ("12.35"): BigInt micro-credits, never binary floats.
const SCALE = 6;
const MICROS = 10n ** BigInt(SCALE);

export function toMicros(text) {
  const s = String(text).trim();
  const m = /^(-?)(\d+)(?:\.(\d{0,6}))?$/.exec(s);
  if (!m) throw new Error(`not a decimal amount: ${text}`);
  const micros = BigInt(m[2]) * MICROS + BigInt((m[3] || '').padEnd(SCALE, '0'));
  return m[1] ? -micros : micros;
}

/** The number of fractional digits a decimal string shows. */
export function scaleOf(text) {
  const dot = String(text).indexOf('.');
  return dot < 0 ? 0 : String(text).length - dot - 1;
}

/** Micro-credits as a decimal string with `scale` fractional digits (exact: `scale` must keep every non-zero digit). */
export function fromMicros(micros, scale) {
  const negative = micros < 0n;
  const abs = negative ? -micros : micros;
  const whole = abs / MICROS;
  const frac = (abs % MICROS).toString().padStart(SCALE, '0');
  if (/[1-9]/.test(frac.slice(scale))) throw new Error('fromMicros would drop digits');
  const text = scale > 0 ? `${whole}.${frac.slice(0, scale)}` : `${whole}`;
  return negative ? `-${text}` : text;
}

/** The exact sum of decimal strings, shown with the most fractional digits among them. */
export function sum(texts) {
  let total = 0n;
  let scale = 0;
  for (const t of texts) {
    total += toMicros(t);
    scale = Math.max(scale, scaleOf(t));
  }
  return fromMicros(total, scale);
}

/** Compares two decimal strings exactly (null sorts as the largest: unlimited). */
export function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  const x = toMicros(a);
  const y = toMicros(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A decimal string as a JavaScript number, only for drawing (chart geometry), never for text. */
export function toChartNumber(text) {
  return Number(text);
}

/** A decimal amount a person typed: digits with up to 6 decimals. Returns the trimmed text or throws. */
export function parseInput(text) {
  const s = text.trim();
  if (!/^\d+(\.\d{1,6})?$/.test(s)) throw new Error('Enter an amount of credits such as 500 or 12.5 (up to 6 decimals).');
  return s;
}

/**
 * A percent the API sends as a JSON number with at most 2 decimals (half-up on the server), shown
 * with its 2 decimals ("26.10%"); toFixed(2) only pads such a number, it never rounds it.
 */
export function percentText(p) {
  return p === null || p === undefined ? '—' : `${p.toFixed(2)}%`;
}

/**
 * Usage of a budget as shown: the API's percent, or — for a budget of 0 with usage, which has
 * none (usagePercent null) — over: a full red bar, "over a budget of 0", and first when sorted.
 */
export function usageShown(consumed, budget, percent) {
  const overZero = percent === null && budget !== null && compare(budget, '0') === 0 && compare(consumed, '0') > 0;
  return { percent: overZero ? Infinity : percent, text: overZero ? 'over a budget of 0' : percentText(percent) };
}
