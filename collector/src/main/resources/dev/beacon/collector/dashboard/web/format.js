// Number, percent, duration and date formatting (Intl only; every output is plain text).

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const pct = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const pctSmall = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 2 });

export const MISSING = '—';

/** 950, 12.3k, 4.5M (Plausible's style: lowercase k). */
export function count(n) {
  if (n == null || !Number.isFinite(n)) return MISSING;
  if (Math.abs(n) < 1000) return whole.format(n);
  return compact.format(n).replace('K', 'k');
}

/** 0.045 -> 4.5% (two decimals under 1%). */
export function percent(x) {
  if (x == null || !Number.isFinite(x)) return MISSING;
  return (x !== 0 && Math.abs(x) < 0.01 ? pctSmall : pct).format(x);
}

/** Milliseconds: 850 ms, 1.2 s, 2.5 min, 1.5 h. */
export function duration(ms) {
  if (ms == null || !Number.isFinite(ms)) return MISSING;
  if (ms < 1000) return `${whole.format(ms)} ms`;
  if (ms < 60_000) return `${trim(ms / 1000)} s`;
  if (ms < 3_600_000) return `${trim(ms / 60_000)} min`;
  return `${trim(ms / 3_600_000)} h`;
}

function trim(x) {
  return x >= 100 ? whole.format(x) : (Math.round(x * 10) / 10).toString();
}

/**
 * A change as the API gives it: relative for counts and durations, a difference of rates for the
 * failure rate. Returns {text, dir} with dir 'up', 'down' or 'flat' (null change: no text).
 */
export function change(c, kind) {
  if (c == null || !Number.isFinite(c)) return { text: '', dir: 'none' };
  const p = Math.abs(c * 100);
  const shown = p < 10 ? Math.round(p * 10) / 10 : Math.round(p);
  if (shown === 0) return { text: kind === 'rate' ? '±0 pp' : '±0%', dir: 'flat' };
  const dir = c > 0 ? 'up' : 'down';
  return { text: `${c > 0 ? '+' : '−'}${shown}${kind === 'rate' ? ' pp' : '%'}`, dir };
}

const dayMonth = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
const fullDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });

/** A UTC range [from, to) as the header shows it, its last day included: "8 Jun – 14 Jun 2025". */
export function range(from, to) {
  const a = new Date(from);
  const b = new Date(new Date(to).getTime() - 1);
  if (a.getUTCFullYear() !== b.getUTCFullYear()) return `${fullDay.format(a)} – ${fullDay.format(b)}`;
  const da = dayMonth.format(a);
  const db = dayMonth.format(b);
  return da === db ? fullDay.format(a) : `${da} – ${db} ${b.getUTCFullYear()}`;
}

/** A value of a dimension as a row label. */
export function label(value) {
  return value == null ? '(none)' : String(value);
}
