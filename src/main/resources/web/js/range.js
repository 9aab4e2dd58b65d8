// The date range selector: presets of 7/30/90 days ending today (the server's UTC date) and a
// custom range. Ranges are what the API takes: from inclusive, to exclusive.
import { h } from './dom.js';

export const PRESETS = [7, 30, 90];

export function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function preset(today, days) {
  const to = addDays(today, 1);
  return { from: addDays(to, -days), to, days };
}

/** The first day of today's month to tomorrow: month to date. */
export function monthToDate(today) {
  return { from: `${today.slice(0, 8)}01`, to: addDays(today, 1) };
}

/** A range selector; `onChange(range)` is called with each new choice. */
export function rangeSelector(today, range, onChange) {
  const buttons = PRESETS.map((n) => h('button', { type: 'button', 'aria-pressed': String(range.days === n), 'data-preset': n, 'data-focus': `preset-${n}`,
    onclick: () => onChange(preset(today, n)) }, `${n} days`));
  const from = h('input', { type: 'date', id: 'range-from', value: range.from, max: today });
  const to = h('input', { type: 'date', id: 'range-to', value: addDays(range.to, -1), max: today });
  const error = h('span', { class: 'muted', role: 'alert' });
  const apply = (e) => {
    e.preventDefault();
    if (!from.value || !to.value || to.value < from.value) {
      error.textContent = 'Choose a start date on or before the end date.';
      return;
    }
    onChange({ from: from.value, to: addDays(to.value, 1), days: null });
  };
  return h('div', {},
    h('form', { class: 'range', 'aria-label': 'Date range', onsubmit: apply },
      h('div', { class: 'presets', role: 'group', 'aria-label': 'Presets' }, buttons),
      h('label', { class: 'field', for: 'range-from' }, 'From', from),
      h('label', { class: 'field', for: 'range-to' }, 'To (inclusive)', to),
      h('button', { type: 'submit', 'data-focus': 'range-apply' }, 'Apply'),
      error),
    h('p', { class: 'range-label', 'data-testid': 'range', 'data-from': range.from, 'data-to': range.to },
      `${range.from} to ${addDays(range.to, -1)} (UTC)`));
}
