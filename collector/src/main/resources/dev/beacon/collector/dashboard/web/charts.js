// Time series charts with uPlot (served from its WebJar by this collector).

import uPlot from './vendor/uplot/uPlot.esm.js';

export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
export const TOTAL_COLOR = '#3b3b3b';
const HEIGHT = 220;

const charts = new Map(); // plot element -> uPlot
const resizer = new ResizeObserver((entries) => {
  for (const e of entries) {
    const u = charts.get(e.target);
    const w = Math.floor(e.contentRect.width);
    if (u && w > 0 && w !== u.width) u.setSize({ width: w, height: HEIGHT });
  }
});

const utc = (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC');

/** Clears a chart card and shows a message in it instead (loading, empty, error). */
export function message(card, text, kind = 'empty') {
  const el = card.querySelector('.plot');
  destroy(el);
  el.replaceChildren();
  const p = document.createElement('p');
  p.className = `plot-message ${kind}`;
  p.textContent = text;
  el.append(p);
}

function destroy(el) {
  const old = charts.get(el);
  if (old) {
    old.destroy();
    charts.delete(el);
    resizer.unobserve(el);
  }
}

/**
 * Draws a line chart into a card: x are bucket starts (epoch seconds, UTC); each series is
 * {label, values, color?, dash?, width?}. format turns a y value into text. Options:
 *   stack:   the first `stack` series are stacked areas, bottom first (the legend still shows
 *            each one's own value); the rest are lines on top
 *   log:     a log scale (durations), values <= 0 left out
 *   integer: ticks on whole numbers only
 *   max:     the top of the y scale (default: a round number above the data)
 * Resolves once drawn; shows `empty` instead when no series has a value other than 0 or null.
 */
export function line(card, { x, series, format, max = null, integer = false, stack = 0, log = false, empty = 'No events in this period' }) {
  const el = card.querySelector('.plot');
  const hasData = series.some((s) => s.values.some((v) => v != null && v !== 0));
  if (!x.length || !hasData) {
    message(card, empty);
    card.dataset.series = '0';
    return Promise.resolve();
  }
  destroy(el);
  el.replaceChildren();
  card.dataset.series = String(series.length);
  let drawn;
  const done = new Promise((resolve) => { drawn = resolve; });
  const few = x.length <= 2;
  const colored = series.map((s, i) => ({ ...s, color: s.color || PALETTE[i % PALETTE.length] }));
  // Stacked areas: cumulative values, drawn top first so each fill covers the one above's lower part.
  const cum = [];
  let acc = new Array(x.length).fill(0);
  for (let i = 0; i < stack; i++) {
    acc = acc.map((a, j) => a + (colored[i].values[j] || 0));
    cum.push(acc);
  }
  const drawnSeries = [
    ...colored.slice(0, stack).map((s, i) => ({ s, plotted: cum[i], area: true })).reverse(),
    ...colored.slice(stack).map((s) => ({ s, plotted: log ? s.values.map((v) => (v > 0 ? v : null)) : s.values, area: false })),
  ];
  const yScale = log
    ? { distr: 3, log: 10 }
    : { range: (u, lo, hi) => [0, max != null ? max : niceMax(hi)] };
  const opts = {
    width: Math.max(200, Math.floor(el.clientWidth || card.clientWidth || 600)),
    height: HEIGHT,
    tzDate: utc,
    cursor: { points: { size: 6 } },
    legend: { live: true },
    scales: { x: { time: true }, y: yScale },
    axes: [
      { stroke: '#666', grid: { stroke: '#eee' }, ticks: { stroke: '#ddd' }, size: 44,
        splits: (u) => xSplits(u, x), values: (u, splits) => splits.map((ts) => tickLabel(ts, x)) },
      { stroke: '#666', grid: { stroke: '#eee' }, ticks: { stroke: '#ddd' }, size: 60,
        incrs: integer && !log ? INTEGER_INCRS : undefined,
        splits: log ? (u, i, lo, hi) => decades(lo, hi) : undefined,
        values: (u, splits) => splits.map((v) => (v == null ? '' : format(v))) },
    ],
    series: [
      { label: 'Time', value: (u, ts) => (ts == null ? '' : timeLabel(ts, x)) },
      ...drawnSeries.map(({ s, area }) => ({
        label: s.label,
        stroke: s.color,
        fill: area ? lighten(s.color) : undefined,
        width: s.width || (area ? 1 : 2),
        dash: s.dash,
        spanGaps: false,
        points: { show: few, size: 6 },
        value: (u, v, si, idx) => (idx == null ? '' : format(s.values[idx])),
      })),
    ],
    hooks: { draw: [() => drawn()] },
  };
  const u = new uPlot(opts, [x, ...drawnSeries.map((d) => d.plotted)], el);
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', `${card.querySelector('h2').textContent}: ${series.map((s) => s.label).join(', ')}, `
    + `${x.length} buckets from ${timeLabel(x[0], x)}`);
  charts.set(el, u);
  resizer.observe(el);
  return done;
}

/** Powers of ten from lo to hi (a log axis's ticks: 1 ms, 10 ms, 100 ms, 1 s, ...). */
function decades(lo, hi) {
  const out = [];
  for (let p = Math.floor(Math.log10(Math.max(lo, 1e-9))); 10 ** p <= hi * 1.0001; p++) if (10 ** p >= lo * 0.9999) out.push(10 ** p);
  return out.length ? out : [lo, hi];
}

/** An opaque light tint of a #rrggbb color (stacked areas must not blend). */
function lighten(hex, amount = 0.55) {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c) => Math.round(c + (255 - c) * amount);
  return `rgb(${mix(n >> 16)}, ${mix((n >> 8) & 255)}, ${mix(n & 255)})`;
}

function niceMax(hi) {
  if (hi == null || !Number.isFinite(hi) || hi <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(hi));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= hi * 1.05) return m * p;
  return 10 * p;
}

const INTEGER_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4,
  1e5, 2e5, 2.5e5, 5e5, 1e6, 2e6, 2.5e6, 5e6, 1e7, 2e7, 2.5e7, 5e7, 1e8, 2e8, 5e8, 1e9];

/** Ticks on bucket starts only, every k-th so that labels keep about 90 px apart. */
function xSplits(u, x) {
  const width = u.bbox.width / (window.devicePixelRatio || 1);
  const k = Math.max(1, Math.ceil(x.length / Math.max(2, Math.floor(width / 90))));
  return x.filter((_, i) => i % k === 0);
}

const tickHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const tickDay = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
const tickMonth = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'short', year: 'numeric' });

/** An x tick: the hour (with the day under it at midnight), the day, or the month. */
function tickLabel(ts, x) {
  const step = x.length > 1 ? x[1] - x[0] : 86400;
  const d = new Date(ts * 1e3);
  if (step < 86400) return d.getUTCHours() === 0 || ts === x[0] ? `${tickHour.format(d)}\n${tickDay.format(d)}` : tickHour.format(d);
  if (step >= 28 * 86400) return tickMonth.format(d);
  return tickDay.format(d);
}

const hourFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayFmt = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', month: 'short', day: 'numeric', year: 'numeric' });

function timeLabel(ts, x) {
  const step = x.length > 1 ? x[1] - x[0] : 86400;
  const d = new Date(ts * 1e3);
  if (step < 86400) return hourFmt.format(d);
  if (step >= 28 * 86400) return tickMonth.format(d);
  return step >= 7 * 86400 ? `week of ${dayFmt.format(d)}` : dayFmt.format(d);
}

/** The previous period's values aligned by position with the current buckets (padded with null). */
export function aligned(values, length) {
  const out = new Array(length).fill(null);
  for (let i = 0; i < Math.min(length, values.length); i++) out[i] = values[i];
  return out;
}
