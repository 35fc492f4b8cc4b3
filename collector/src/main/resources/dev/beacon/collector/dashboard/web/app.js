// Beacon's dashboard: reads the page's state from its URL, asks the query API for every card at
// once, and draws them (uPlot for time series, HTML bar lists for breakdowns). No build step.

import * as fmt from './format.js';
import * as st from './state.js';
import * as charts from './charts.js';
import * as bars from './bars.js';
import * as rules from './rules.js';
import { Api } from './api.js';

const boot = JSON.parse(document.getElementById('beacon-boot').textContent);
const api = new Api(boot.root, boot.profile);
const $ = (id) => document.getElementById(id);
const main = $('main');

const KPIS = [
  { key: 'events', label: 'Events', format: fmt.count, kind: 'count', good: 'up' },
  { key: 'sessions', label: 'Sessions', format: fmt.count, kind: 'count', good: 'up' },
  { key: 'installations', label: 'Installations', format: fmt.count, kind: 'count', good: 'up' },
  { key: 'failure_rate', label: 'Failure rate', format: fmt.percent, kind: 'rate', good: 'down' },
  { key: 'duration_p50', label: 'Duration p50', format: fmt.duration, kind: 'count', good: 'down' },
  { key: 'duration_p95', label: 'Duration p95', format: fmt.duration, kind: 'count', good: 'down' },
  { key: 'duration_p99', label: 'Duration p99', format: fmt.duration, kind: 'count', good: 'down' },
];
const ALL_METRICS = KPIS.map((k) => k.key).join(',');
const BREAKDOWNS = [
  { dim: 'event', name: 'event' },
  { dim: 'os', name: 'OS' },
  { dim: 'runtime', name: 'runtime' },
  { dim: 'scheme', name: 'backend scheme' },
  { dim: 'status', name: 'status' },
  { dim: 'sdk', name: 'SDK' },
];
const TOP_SERIES = 6;
// Distinct counts (sessions, installations) are the dear part of a query: asked only where drawn.
const BAR_METRICS = 'events,failure_rate';
const hiddenNote = boot.publicMode ? `hidden: fewer than ${boot.publicThreshold} events` : 'no data';

let state = st.read(location.search, boot.params);
let controller = null;
let lastRange = null;
let firstLoad = true;

// ---- controls -------------------------------------------------------------------------------

function setupControls() {
  const profile = $('profile');
  for (const p of boot.profiles) profile.add(new Option(p, p, false, p === boot.profile));
  profile.hidden = boot.profiles.length < 2;
  profile.addEventListener('change', () => {
    location.href = new URL(`${boot.root}${encodeURIComponent(profile.value)}/`, location.href).href;
  });
  $('period').addEventListener('change', () => {
    const period = $('period').value;
    if (period === 'custom') {
      const r = lastRange || { from: new Date(Date.now() - 30 * 86400e3).toISOString(), to: new Date().toISOString() };
      $('from').value = r.from.slice(0, 10);
      $('to').value = new Date(Date.parse(r.to) - 1).toISOString().slice(0, 10);
      $('custom').hidden = false;
      $('from').focus();
      return; // applied with the Apply button
    }
    navigate({ ...state, period, from: null, to: null, interval: null });
  });
  $('controls').addEventListener('submit', (e) => {
    e.preventDefault();
    const from = $('from').value;
    const to = $('to').value;
    if (!from || !to || from > to) {
      $('to').setCustomValidity('The end must not be before the start');
      $('to').reportValidity();
      return;
    }
    navigate({ ...state, period: 'custom', from, to, interval: null });
  });
  $('to').addEventListener('input', () => $('to').setCustomValidity(''));
  $('interval').addEventListener('change', () => {
    const v = $('interval').value;
    navigate({ ...state, interval: v === st.defaultInterval(state) ? null : v });
  });
  $('compare').addEventListener('change', () => navigate({ ...state, compare: $('compare').checked }));
  $('param-key').addEventListener('change', () => {
    state = { ...state, param: $('param-key').value };
    history.pushState(null, '', st.write(state) || location.pathname);
    loadParam([state.param], controller ? controller.signal : undefined);
  });
  window.addEventListener('popstate', () => {
    state = st.read(location.search, boot.params);
    load();
  });
}

function syncControls() {
  $('period').value = state.period;
  $('custom').hidden = state.period !== 'custom';
  if (state.period === 'custom') {
    $('from').value = state.from;
    $('to').value = state.to;
  }
  const choices = st.intervalsFor(state);
  if (state.interval && !choices.includes(state.interval)) state.interval = null;
  const current = state.interval || st.defaultInterval(state);
  const sel = $('interval');
  sel.replaceChildren(...choices.map((i) => new Option(i, i, false, i === current)));
  sel.disabled = choices.length < 2;
  $('compare').checked = state.compare;
  drawChips();
}

function navigate(next) {
  state = next;
  history.pushState(null, '', st.write(state) || location.pathname);
  load();
}

function drawChips() {
  const box = $('chips');
  const keys = Object.keys(state.filters).sort();
  box.replaceChildren(...keys.map((key) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'chip';
    b.dataset.filter = key;
    const name = key.startsWith('param.') ? key.slice(6) : (BREAKDOWNS.find((d) => d.dim === key) || { name: key }).name;
    const text = `${name} is ${state.filters[key].join(' or ')}`;
    b.textContent = text;
    const x = document.createElement('span');
    x.className = 'x';
    x.setAttribute('aria-hidden', 'true');
    x.textContent = '×';
    b.append(x);
    b.setAttribute('aria-label', `Remove filter: ${text}`);
    b.addEventListener('click', () => navigate(st.withoutFilter(state, key)));
    return b;
  }));
  box.hidden = !keys.length;
}

// ---- loading ---------------------------------------------------------------------------------

async function load() {
  if (controller) controller.abort();
  controller = new AbortController();
  const signal = controller.signal;
  syncControls();
  main.dataset.state = 'loading';
  main.setAttribute('aria-busy', 'true');
  const started = performance.now();
  document.querySelectorAll('.card').forEach((c) => c.classList.add('loading'));
  if (firstLoad) {
    document.querySelectorAll('.charts .card').forEach((c) => charts.message(c, 'Loading…', 'loading'));
    document.querySelectorAll('.bars .card').forEach((c) => bars.message(c, 'Loading…', 'loading'));
  }
  const p = st.apiParams(state);
  const cmp = state.compare ? { compare: 'previous' } : {};
  const q = (endpoint, extra) => api.query(endpoint, p, extra, signal);
  const guard = (card, job, show) => job.then((r) => { if (!signal.aborted) show(r); done(card); })
    .catch((e) => { if (!signal.aborted) failed(card, e); });

  const totals = q('timeseries', { metrics: ALL_METRICS });
  const byEvent = q('timeseries', { group_by: 'event', limit: TOP_SERIES, metrics: 'events', ...cmp });
  const eventRows = q('breakdown', { dimension: 'event', limit: 10, metrics: BAR_METRICS });
  const jobs = [
    guard($('kpis'), q('summary', cmp), drawKpis),
    guard($('chart-events'), byEvent, drawEvents),
    guard($('chart-people'), totals, (ts) => charts.line($('chart-people'), {
      x: ts.buckets, format: fmt.count, integer: true,
      empty: boot.publicMode ? `Hidden: fewer than ${boot.publicThreshold} sessions a bucket` : 'No events in this period', series: [
        { label: 'Sessions', values: ts.totals.sessions },
        { label: 'Installations', values: ts.totals.installations },
      ] })),
    guard($('chart-failures'), totals, (ts) => charts.line($('chart-failures'), {
      x: ts.buckets, format: fmt.percent, empty: 'No events in this period',
      series: [{ label: 'Failure rate', values: ts.totals.failure_rate, color: charts.PALETTE[2] }] })),
    guard($('chart-durations'), totals, (ts) => charts.line($('chart-durations'), {
      x: ts.buckets, format: fmt.duration, log: true, empty: 'No durations in this period', series: [
        { label: 'p50', values: ts.totals.duration_p50 },
        { label: 'p95', values: ts.totals.duration_p95 },
        { label: 'p99', values: ts.totals.duration_p99 },
      ] })),
    guard($('chart-adoption'), q('timeseries', { group_by: 'version', limit: TOP_SERIES, metrics: 'installations' }), drawAdoption),
    guard($('bars-version'), q('breakdown', { dimension: 'version', limit: 10, metrics: 'events,installations,failure_rate' }), drawVersions),
    ...BREAKDOWNS.map((b) => guard($(`bars-${b.dim}`),
      b.dim === 'event' ? eventRows : q('breakdown', { dimension: b.dim, limit: 10, metrics: BAR_METRICS }),
      (r) => drawBreakdown(b, r))),
    eventRows.catch(() => null).then((r) => (signal.aborted ? null : loadParam(paramCandidates(r), signal))),
  ];
  await Promise.allSettled(jobs);
  if (signal.aborted) return;
  // Charts draw on the next frame: wait for it, so that "ready" means drawn.
  await new Promise((resolve) => requestAnimationFrame(() => resolve()));
  firstLoad = false;
  main.dataset.state = 'ready';
  main.setAttribute('aria-busy', 'false');
  main.dataset.loadMs = String(Math.round(performance.now() - started));
  performance.mark('beacon-ready');
}

function done(card) {
  card.classList.remove('loading');
}

function failed(card, e) {
  card.classList.remove('loading');
  const text = `Could not load: ${e.message}`;
  if (card.querySelector('.plot')) charts.message(card, text, 'error');
  else if (card.querySelector('.list')) bars.message(card, text, 'error');
  else card.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', textContent: text }));
}

// ---- drawing ---------------------------------------------------------------------------------

function drawKpis(s) {
  lastRange = { from: s.from, to: s.to };
  const box = $('kpis');
  box.replaceChildren(...KPIS.map((k) => {
    const v = s.totals[k.key];
    const div = document.createElement('div');
    div.className = 'kpi';
    div.dataset.metric = k.key;
    const label = document.createElement('span');
    label.className = 'kpi-label';
    label.textContent = k.label;
    const value = document.createElement('span');
    value.className = 'kpi-value';
    value.textContent = k.format(v);
    if (v == null) value.title = hiddenNote;
    div.append(label, value);
    if (s.previous) {
      const c = fmt.change(s.change[k.key], k.kind);
      const ch = document.createElement('span');
      ch.className = `kpi-change ${c.dir}`;
      if (c.dir === 'up' || c.dir === 'down') ch.classList.add(c.dir === k.good ? 'good' : 'bad');
      const before = s.previous.totals[k.key];
      ch.textContent = c.text || (before === 0 && v > 0 ? 'new' : 'n/a');
      ch.title = `${fmt.range(s.previous.from, s.previous.to)}: ${k.format(before)}`;
      div.append(ch);
    }
    return div;
  }));
  $('range').textContent = fmt.range(s.from, s.to);
  const empty = s.totals.events === 0;
  const notice = $('notice');
  notice.hidden = !(empty || boot.publicMode);
  notice.textContent = empty ? 'No events in this period. Pick a longer period or remove a filter.'
    : `Public view: every count below ${boot.publicThreshold} is hidden (—), and small rows are merged into “(other)”.`;
  main.dataset.empty = String(empty);
}

function drawEvents(ts) {
  // The top events stacked (the most frequent at the bottom), the rest as one more layer, so the
  // stack's top is every event; the previous period's total dashed over it.
  const series = ts.series.map((s) => ({ label: fmt.label(s.value), values: s.events }));
  const rest = ts.totals.events.map((t, i) => (t == null ? null : t - ts.series.reduce((a, s) => a + (s.events[i] || 0), 0)));
  if (rest.some((v) => v > 0)) series.push({ label: 'Other events', values: rest, color: '#bab0ac' });
  const stack = series.length;
  if (ts.previous) {
    series.push({ label: 'All events, previous period', values: charts.aligned(ts.previous.totals.events, ts.buckets.length),
      color: charts.TOTAL_COLOR, dash: [5, 4], width: 1.5 });
  }
  return charts.line($('chart-events'), { x: ts.buckets, series, format: fmt.count, integer: true, stack });
}

function drawAdoption(ts) {
  // Each version's share of the installations active in the bucket, stacked (the top version at
  // the bottom). Distinct counts: an installation that upgraded mid-bucket counts for both.
  const all = ts.totals.installations;
  const share = (v, i) => (v == null || all[i] == null || all[i] === 0 ? null : v / all[i]);
  const series = ts.series.map((s) => ({ label: fmt.label(s.value), values: s.installations.map(share) }));
  const rest = all.map((t, i) => (t ? Math.max(0, 1 - series.reduce((a, s) => a + (s.values[i] || 0), 0)) : null));
  if (rest.some((v) => v > 0.0005)) series.push({ label: 'Other versions', values: rest, color: '#bab0ac' });
  return charts.line($('chart-adoption'), { x: ts.buckets, series, format: fmt.percent, max: 1, stack: series.length,
    empty: boot.publicMode ? `Hidden: fewer than ${boot.publicThreshold} installations a bucket` : 'No installations in this period' });
}

function drawVersions(r) {
  const total = r.total.installations;
  const share = (row) => (row.installations == null || !total ? null : row.installations / total);
  bars.draw($('bars-version'), {
    rows: r.rows,
    dimension: 'version',
    headers: ['Version', 'Installations', 'Share', 'Failure rate'],
    share,
    cells: (row) => [fmt.count(row.installations), fmt.percent(share(row)), fmt.percent(row.failure_rate)],
    title: (row) => `${fmt.label(row.value)}: ${fmt.count(row.installations)} installations (${fmt.percent(share(row))}), `
      + `${fmt.count(row.events)} events, ${fmt.percent(row.failure_rate)} failed`,
    pick: (row) => navigate(st.withFilter(state, 'version', row.value)),
    active: (state.filters.version || [])[0],
  });
}

/** A bar list of events per value; b: {dim, name, card?, filter?} (filter: the state key a click sets). */
function drawBreakdown(b, r, rows = r.rows, total = r.total.events) {
  const key = b.filter || b.dim;
  const share = (row) => (row.events == null || !total ? null : row.events / total);
  bars.draw($(b.card || `bars-${b.dim}`), {
    rows,
    empty: b.empty,
    dimension: b.name,
    headers: [b.name[0].toUpperCase() + b.name.slice(1), 'Events', 'Share'],
    share,
    cells: (row) => [fmt.count(row.events), fmt.percent(share(row))],
    title: (row) => `${fmt.label(row.value)}: ${fmt.count(row.events)} events (${fmt.percent(share(row))}), `
      + `${fmt.percent(row.failure_rate)} failed`,
    pick: (row) => navigate(st.withFilter(state, key, row.value)),
    active: (state.filters[key] || [])[0],
  });
}

// ---- the param card --------------------------------------------------------------------------

/** The param keys worth offering: those of the filtered events, else every catalogued one. */
function paramKeys() {
  const events = state.filters.event;
  const keys = Object.keys(boot.params).filter((k) => !events || boot.params[k].some((e) => events.includes(e)));
  return keys.length ? keys : Object.keys(boot.params);
}

/**
 * The param card's candidate keys: the URL's; else the params of the most frequent events, in
 * that order (the card shows the first that has values), at most 3.
 */
function paramCandidates(eventRows) {
  const keys = paramKeys();
  if (state.param && keys.includes(state.param)) return [state.param];
  const out = [];
  for (const row of (eventRows && eventRows.rows) || []) {
    for (const k of keys) if (boot.params[k].includes(row.value) && !out.includes(k)) out.push(k);
  }
  return (out.length ? out : keys).slice(0, 3);
}

async function loadParam(candidates, signal) {
  const card = $('bars-param');
  if (!candidates.length) {
    bars.message(card, 'This profile declares no params');
    return;
  }
  card.classList.add('loading');
  try {
    // Asked at once (a chain would add up), drawn: the first candidate that has values.
    const answers = await Promise.all(candidates.map((key) => api.query('breakdown', st.apiParams(state),
      { dimension: `param.${key}`, limit: 11, metrics: BAR_METRICS }, signal)));
    if (signal && signal.aborted) return;
    const valued = (r) => r.rows.filter((row) => row.value != null);
    let n = answers.findIndex((r) => valued(r).length > 0);
    if (n < 0) n = 0;
    const key = candidates[n];
    const r = answers[n];
    $('param-key').replaceChildren(...paramKeys().map((k) => {
      const o = new Option(k, k, false, k === key);
      o.title = `declared by ${boot.params[k].join(', ')}`;
      return o;
    }));
    // Events without the param are not a value of it: leave them out, and out of the shares.
    const without = r.rows.find((row) => row.value == null);
    const total = r.total.events == null ? null : r.total.events - (without ? without.events || 0 : 0);
    drawBreakdown({ dim: 'param', name: key, card: 'bars-param', filter: `param.${key}`, empty: `No event with ${key} in this period` },
      r, valued(r).slice(0, 10), total);
    done(card);
  } catch (e) {
    if (!(signal && signal.aborted)) failed(card, e);
  }
}

// ---- config rules ----------------------------------------------------------------------------

function setupRules() {
  if (!boot.rules) return;
  $('rules').hidden = false;
  const show = (r) => rules.view($('rules-view'), r);
  api.rules().then(show).catch((e) => { $('rules-view').textContent = `Could not load the rules: ${e.message}`; });
  if (boot.admin) {
    rules.editor(api, {
      unlock: $('admin-unlock'), token: $('admin-token'), form: $('rules-editor'), textarea: $('rules-json'),
      cancel: $('rules-cancel'), message: $('rules-message'),
    }, show);
  }
}

$('foot-mode').textContent = boot.publicMode
  ? `public view: counts below ${boot.publicThreshold} hidden`
  : boot.admin ? 'admin API on' : 'admin API off';
setupControls();
setupRules();
load();
