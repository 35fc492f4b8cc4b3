// The page's state, kept in its query string so that a view can be shared: the period, the
// interval, the comparison, the filters (named as the query API names them) and the param card.

export const PERIODS = ['today', '7d', '30d', '90d', '12mo', 'custom'];
export const DEFAULT_PERIOD = '30d';
export const FIXED_FILTERS = ['event', 'version', 'os', 'runtime', 'scheme', 'status', 'sdk'];
const INTERVALS = ['minute', 'hour', 'day', 'week', 'month'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the state from a query string; anything unknown or malformed is ignored. */
export function read(search, params) {
  const q = new URLSearchParams(search);
  const s = { period: DEFAULT_PERIOD, from: null, to: null, interval: null, compare: true, filters: {}, param: null };
  const period = q.get('period');
  if (PERIODS.includes(period)) s.period = period;
  if (s.period === 'custom') {
    const from = q.get('from');
    const to = q.get('to');
    if (DATE.test(from || '') && DATE.test(to || '') && from <= to) {
      s.from = from;
      s.to = to;
    } else {
      s.period = DEFAULT_PERIOD;
    }
  }
  if (INTERVALS.includes(q.get('interval'))) s.interval = q.get('interval');
  if (q.get('compare') === 'off') s.compare = false;
  for (const [key, value] of q) {
    const known = FIXED_FILTERS.includes(key) || (key.startsWith('param.') && key.slice(6) in params);
    if (known && value) (s.filters[key] ||= []).push(...value.split(',').filter(Boolean));
  }
  if (q.get('param') && q.get('param') in params) s.param = q.get('param');
  return s;
}

/** The query string of a state: only what differs from the defaults. */
export function write(s) {
  const q = new URLSearchParams();
  if (s.period !== DEFAULT_PERIOD) q.set('period', s.period);
  if (s.period === 'custom') {
    q.set('from', s.from);
    q.set('to', s.to);
  }
  if (s.interval) q.set('interval', s.interval);
  if (!s.compare) q.set('compare', 'off');
  for (const key of Object.keys(s.filters).sort()) q.set(key, s.filters[key].join(','));
  if (s.param) q.set('param', s.param);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The query API's parameters for a state (period, range, interval and filters). */
export function apiParams(s) {
  const q = new URLSearchParams();
  if (s.period === 'custom') {
    q.set('from', s.from);
    q.set('to', s.to);
  } else {
    q.set('period', s.period);
  }
  if (s.interval) q.set('interval', s.interval);
  for (const key of Object.keys(s.filters).sort()) q.set(key, s.filters[key].join(','));
  return q;
}

/** A copy of the state with one filter set to one value (as Plausible does: a click replaces that filter). */
export function withFilter(s, key, value) {
  return { ...s, filters: { ...s.filters, [key]: [String(value)] } };
}

/** A copy of the state without the filter {@code key}. */
export function withoutFilter(s, key) {
  const filters = { ...s.filters };
  delete filters[key];
  return { ...s, filters };
}

/**
 * The intervals worth offering for a period, as Plausible's valid_by_period does, minus any that
 * would make more than the API's 1,000 buckets. The first is not necessarily the default.
 */
export function intervalsFor(s) {
  switch (s.period) {
    case 'today': return ['hour'];
    case '7d': return ['hour', 'day'];
    case '30d': return ['day', 'week'];
    case '90d': return ['day', 'week', 'month'];
    case '12mo': return ['day', 'week', 'month'];
    default: {
      const days = (Date.parse(s.to) - Date.parse(s.from)) / 86_400_000 + 1;
      const out = [];
      if (days * 24 <= 1000 && days <= 31) out.push('hour');
      if (days <= 1000 && days > 1) out.push('day');
      if (days >= 14) out.push('week');
      if (days >= 62) out.push('month');
      return out.length ? out : ['hour'];
    }
  }
}

/** The interval the API picks for a period when none is asked (docs/collector-api.md). */
export function defaultInterval(s) {
  switch (s.period) {
    case 'today': return 'hour';
    case '12mo': return 'month';
    case 'custom': {
      const from = new Date(`${s.from}T00:00:00Z`);
      const last = new Date(`${s.to}T00:00:00Z`);
      const months = (last.getUTCFullYear() - from.getUTCFullYear()) * 12 + last.getUTCMonth() - from.getUTCMonth()
        - (last.getUTCDate() < from.getUTCDate() ? 1 : 0);
      if (months > 0) return 'month';
      return s.from === s.to ? 'hour' : 'day';
    }
    default: return 'day';
  }
}
