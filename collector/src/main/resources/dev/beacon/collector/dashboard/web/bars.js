// Breakdowns as HTML bar lists (as Plausible draws them): a bar whose width is the row's share,
// its label, and its numbers. A row that can filter the page is a button (keyboard: Tab, Enter).

import { label as valueLabel } from './format.js';

/** Shows a message in a bar list card instead of rows. */
export function message(card, text, kind = 'empty') {
  const list = card.querySelector('.list');
  const p = document.createElement('p');
  p.className = `list-message ${kind}`;
  p.textContent = text;
  list.replaceChildren(p);
  card.dataset.rows = '0';
}

/**
 * Draws rows into a card's list.
 *   rows:   the breakdown's rows ({value, ...metrics})
 *   share:  row -> number from 0 to 1 (the bar's width), or null
 *   cells:  row -> [text, ...] shown right of the label
 *   title:  row -> text of the row's tooltip
 *   pick:   row -> called when a row is chosen, or null when rows are not clickable
 *   active: the value currently filtered on, if any
 *   headers: the column names (the label's, then one per cell)
 */
export function draw(card, { rows, share, cells, title, pick, headers, active = null, empty = 'No events in this period', dimension = '' }) {
  if (!rows.length) {
    message(card, empty);
    return;
  }
  const head = document.createElement('div');
  head.className = 'bars-head';
  head.setAttribute('aria-hidden', 'true');
  for (const h of headers) {
    const span = document.createElement('span');
    span.textContent = h;
    head.append(span);
  }
  const ol = document.createElement('ol');
  ol.className = 'bars';
  for (const row of rows) {
    const li = document.createElement('li');
    const clickable = pick && row.value != null && row.value !== '(other)';
    const el = document.createElement(clickable ? 'button' : 'div');
    el.className = 'bar';
    if (clickable) {
      el.type = 'button';
      el.addEventListener('click', () => pick(row));
    } else {
      el.classList.add('static');
    }
    if (active != null && String(row.value) === String(active)) el.classList.add('active');
    el.dataset.value = row.value == null ? '' : String(row.value);
    const fill = document.createElement('span');
    fill.className = 'fill';
    const s = share(row);
    fill.style.width = `${s == null || !Number.isFinite(s) ? 0 : Math.max(0, Math.min(1, s)) * 100}%`;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = valueLabel(row.value);
    const cell = document.createElement('span');
    cell.className = 'label';
    cell.append(fill, name);
    el.append(cell);
    const texts = cells(row);
    for (const t of texts) {
      const c = document.createElement('span');
      c.className = 'num';
      c.textContent = t;
      el.append(c);
    }
    el.title = title(row);
    if (clickable) el.setAttribute('aria-label', `${title(row)}. Filter by ${dimension} ${valueLabel(row.value)}`);
    li.append(el);
    ol.append(li);
  }
  card.querySelector('.list').replaceChildren(head, ol);
  card.dataset.rows = String(rows.length);
}
