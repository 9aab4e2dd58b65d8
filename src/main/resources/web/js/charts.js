// ECharts (from the WebJar in the jar) for the dashboard's charts. Every chart has a text
// alternative next to it (a table with the API's values); the chart itself only draws.
import * as echarts from '../vendor/echarts/echarts.esm.min.js';
import { h } from './dom.js';
import { toChartNumber, percentText } from './decimal.js';

export const PALETTE = ['#1d4ed8', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#6b7280', '#b45309', '#4338ca'];
export const OTHER_COLOR = '#9ca3af';

/** A stable colour per key, in the order the keys are first seen. */
export function colorMap(keys) {
  const m = new Map();
  keys.forEach((k, i) => m.set(k, PALETTE[i % PALETTE.length]));
  return (k) => m.get(k) || OTHER_COLOR;
}

const live = new Set();
let resizeHooked = false;

/** A chart container; `option` is drawn once the element is in the page. */
export function chart(label, option, cls = 'chart') {
  const el = h('div', { class: cls, role: 'img', 'aria-label': label });
  requestAnimationFrame(() => {
    if (!el.isConnected) return;
    const c = echarts.init(el, null, { renderer: 'svg' });
    c.setOption({ animation: false, textStyle: { fontFamily: 'system-ui, sans-serif' }, ...option });
    el.dataset.ready = 'true';
    live.add(c);
    if (!resizeHooked) {
      resizeHooked = true;
      window.addEventListener('resize', () => {
        for (const x of live) { if (x.isDisposed() || !x.getDom().isConnected) live.delete(x); else x.resize(); }
      });
    }
  });
  return el;
}

/**
 * Text for a tooltip, which ECharts inserts as HTML: names (agents, models, activities) are the
 * users' own free text, so every one goes through here.
 */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const tooltipValue = (items) => (p) => `${p.marker}${escapeHtml(p.seriesName || p.name)}: ${escapeHtml(items[p.seriesIndex ?? p.dataIndex]?.credits ?? '')} credits`;

/** Daily credits as bars (or a line): x the dates, y the credits. */
export function daily(label, days, kind = 'bar') {
  return chart(label, {
    grid: { left: 48, right: 16, top: 32, bottom: 40 },
    tooltip: { trigger: 'axis', formatter: (ps) => `${escapeHtml(ps[0].axisValue)}<br>${escapeHtml(days[ps[0].dataIndex].credits)} credits` },
    xAxis: { type: 'category', data: days.map((d) => d.date), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', name: 'credits', nameTextStyle: { align: 'left' } },
    series: [{ type: kind, data: days.map((d) => toChartNumber(d.credits)), itemStyle: { color: PALETTE[0] }, areaStyle: kind === 'line' ? { opacity: 0.15 } : undefined }],
  });
}

/** Shares (model, activity…) as horizontal bars, largest first. */
export function shareBars(label, shares, keyOf, colorOf) {
  const rows = [...shares].reverse();
  return chart(label, {
    grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
    tooltip: { trigger: 'item', formatter: (p) => `${escapeHtml(p.name)}: ${escapeHtml(rows[p.dataIndex].credits)} credits (${escapeHtml(percentText(rows[p.dataIndex].percent))})` },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: rows.map(keyOf), axisLabel: { width: 160, overflow: 'truncate' } },
    series: [{ type: 'bar', data: rows.map((s) => ({ value: toChartNumber(s.credits), itemStyle: { color: colorOf(keyOf(s)) } })) }],
  }, 'chart');
}

/** One horizontal bar stacked by model (My Usage): `segments` are {name, credits, percent}. */
export function stackedBar(label, segments, colorOf) {
  return chart(label, {
    grid: { left: 8, right: 8, top: 8, bottom: 56 },
    legend: { bottom: 0, type: 'scroll' },
    tooltip: { trigger: 'item', formatter: tooltipValue(segments) },
    xAxis: { type: 'value', show: false, max: 'dataMax' },
    yAxis: { type: 'category', data: ['credits'], show: false },
    series: segments.map((s) => ({ name: s.name, type: 'bar', stack: 'all', barWidth: 36,
      itemStyle: { color: colorOf(s.name) }, data: [toChartNumber(s.credits)] })),
  }, 'chart small');
}
