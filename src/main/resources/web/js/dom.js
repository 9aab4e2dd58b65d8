// A tiny element builder (text goes in as text nodes, never as HTML) and the page's shared states.

/** h('td', {class: 'num'}, '12.35') — attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/**
 * The focused control's key (its data-focus, or id) when a re-render removed it: the control
 * with the same key gets the focus back when it is drawn again, so a keyboard user stays where
 * they were (a preset, a sort header, a budget just saved) instead of starting over from the top.
 */
let lostFocus = null;

export function replace(el, ...children) {
  const active = document.activeElement;
  if (active && active !== document.body && el.contains(active)) lostFocus = active.getAttribute('data-focus') || active.id || null;
  el.replaceChildren();
  append(el, children);
  if (lostFocus) {
    if (document.activeElement && document.activeElement !== document.body) {
      lostFocus = null; // the user has moved on
    } else {
      const again = el.querySelector(`[data-focus="${CSS.escape(lostFocus)}"], #${CSS.escape(lostFocus)}`);
      if (again) {
        again.focus();
        if (document.activeElement === again) lostFocus = null;
      }
    }
  }
  return el;
}

export const loading = (what) => h('p', { class: 'state loading', role: 'status' }, `Loading ${what}…`);
export const empty = (text) => h('p', { class: 'state empty' }, text);
export function failure(what, err) {
  const code = err && err.code ? ` (${err.code})` : '';
  return h('p', { class: 'state error', role: 'alert' }, `Could not load ${what}: ${err ? err.message : 'unknown error'}${code}`);
}

/** Runs `load` and renders its result into `el`, showing loading and error states meanwhile. */
export async function section(el, what, load, render) {
  replace(el, loading(what));
  try {
    const data = await load();
    replace(el, render(data));
  } catch (err) {
    replace(el, failure(what, err));
    console.error(err);
  }
}

export function announce(text) {
  const a = document.getElementById('announcer');
  if (a) { a.textContent = ''; setTimeout(() => { a.textContent = text; }, 30); }
}

export function metric(label, value, testId, sub) {
  return h('div', { class: 'metric' },
    h('div', { class: 'label', id: `${testId}-label` }, label),
    h('div', { class: 'value', 'data-testid': testId, 'aria-labelledby': `${testId}-label` }, value),
    sub ? h('div', { class: 'sub' }, sub) : null);
}

/** A usage bar for a percent (a number from the API); the text beside it is the API's value. */
export function bar(percent, label) {
  const width = percent === null || percent === undefined ? 0 : Math.min(100, Math.max(0, percent));
  return h('div', { class: `bar${percent >= 100 ? ' over' : ''}`, role: 'img', 'aria-label': label },
    h('span', { style: { width: `${width}%` } }));
}

export function table(caption, headers, rows, attrs = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map((x) => (x instanceof Node ? x : h('th', { scope: 'col', class: numeric(x) ? 'num' : null }, label(x)))))),
      h('tbody', {}, rows)));
}

const numeric = (x) => typeof x === 'object' && x.num;
const label = (x) => (typeof x === 'object' ? x.label : x);
