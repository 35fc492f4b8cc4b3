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
 * {label, values, color?, dash?, width?}. format turns a y value into text. Resolves once drawn;
 * shows `empty` instead when no series has a value other than 0 or null.
 */
export function line(card, { x, series, format, max = null, integer = false, empty = 'No events in this period' }) {
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
  const opts = {
    width: Math.max(200, Math.floor(el.clientWidth || card.clientWidth || 600)),
    height: HEIGHT,
    tzDate: utc,
    cursor: { points: { size: 6 } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, max != null ? max : niceMax(hi)] } },
    axes: [
      { stroke: '#666', grid: { stroke: '#eee' }, ticks: { stroke: '#ddd' }, size: 44,
        splits: (u) => xSplits(u, x), values: (u, splits) => splits.map((ts) => tickLabel(ts, x)) },
      { stroke: '#666', grid: { stroke: '#eee' }, ticks: { stroke: '#ddd' }, size: 56,
        incrs: integer ? INTEGER_INCRS : undefined, values: (u, splits) => splits.map((v) => format(v)) },
    ],
    series: [
      { label: 'Time', value: (u, ts) => (ts == null ? '' : timeLabel(ts, x)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color || PALETTE[i % PALETTE.length],
        width: s.width || 2,
        dash: s.dash,
        spanGaps: false,
        points: { show: few, size: 6 },
        value: (u, v) => format(v),
      })),
    ],
    hooks: { draw: [() => drawn()] },
  };
  const u = new uPlot(opts, [x, ...series.map((s) => s.values)], el);
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', `${card.querySelector('h2').textContent}: ${series.map((s) => s.label).join(', ')}, `
    + `${x.length} buckets from ${timeLabel(x[0], x)}`);
  charts.set(el, u);
  resizer.observe(el);
  return done;
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
