// Organization Usage (admins, operators): the Usage tab.
import * as api from '../api.js';
import { h, replace, section, metric, table, empty, announce } from '../dom.js';
import { rangeSelector } from '../range.js';
import { daily, shareBars, colorMap } from '../charts.js';
import { membersTable } from '../members-table.js';
import { percentText } from '../decimal.js';

export function tabs(active) {
  const tab = (id, label) => h('a', { href: `#/${id}`, role: 'tab', 'aria-selected': String(active === id), id: `tab-${id}` }, label);
  return h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Organization Usage' }, tab('usage', 'Usage'), tab('budget', 'Budget'));
}

export function summaryUrl(orgId, range) {
  return api.path(`/v1/orgs/${api.enc(orgId)}/usage/summary`, { from: range.from, to: range.to });
}

export function usagePage(ctx) {
  const rerender = () => usagePage(ctx);
  const body = h('div', {});
  replace(ctx.main,
    h('h1', {}, `Organization Usage — ${ctx.orgId}`),
    tabs('usage'),
    rangeSelector(ctx.today, ctx.state.range, (range) => { ctx.state.range = range; rerender(); }),
    body);
  section(body, 'usage', () => api.get(summaryUrl(ctx.orgId, ctx.state.range)), (s) => {
    const colorOf = colorMap(s.byModel.map((m) => m.model));
    return [
      h('div', { class: 'metrics' },
        metric('Credits Consumed', s.creditsConsumed, 'credits-consumed', `${s.events} events`),
        metric('Avg Credits / Day', s.avgCreditsPerDay, 'avg-credits-per-day', `over ${s.days} days`)),
      modelDistribution(ctx, s, colorOf),
      h('section', { class: 'card', 'aria-labelledby': 'trend-title' },
        h('h2', { id: 'trend-title' }, 'Daily trend'),
        s.events === 0 ? empty('No usage in this range.') : daily(`Credits per day, ${s.from} to ${s.to}`, s.daily, 'line'),
        dailyTable(s.daily)),
      h('div', { class: 'grid' },
        shareCard('Activity types', 'activity', s.byActivity, (x) => x.activity, 'activity-table'),
        shareCard('Agents', 'agent', s.byAgent, (x) => x.agent ?? 'no agent', 'agent-table')),
      membersTable({ orgId: ctx.orgId, range: ctx.state.range, colorOf }),
    ];
  });
}

/** The model distribution: a chart filtered by the checked models, the table of every model, the CSV. */
function modelDistribution(ctx, s, colorOf) {
  const chartBox = h('div', {});
  const hidden = new Set();
  const draw = () => {
    const shown = s.byModel.filter((m) => !hidden.has(m.model));
    replace(chartBox, shown.length === 0 ? empty(s.byModel.length ? 'No model selected.' : 'No usage in this range.')
      : shareBars('Credits by model', shown, (m) => m.model, colorOf));
  };
  const filter = h('fieldset', { class: 'legend-filter' }, h('legend', {}, 'Show models'),
    s.byModel.map((m, i) => h('label', { class: 'field inline' },
      h('input', { type: 'checkbox', checked: true, id: `model-filter-${i}`, onchange: (e) => {
        if (e.target.checked) hidden.delete(m.model); else hidden.add(m.model);
        draw();
      } }),
      h('span', { class: 'swatch', style: { background: colorOf(m.model) } }), m.model)));
  draw();
  const exportCsv = async () => {
    try {
      announce(`Downloaded ${await api.download(api.path(`/v1/orgs/${api.enc(ctx.orgId)}/usage/models.csv`, { from: s.from, to: s.to }))}`);
    } catch (err) {
      announce(`Export failed: ${err.message}`);
    }
  };
  return h('section', { class: 'card', 'aria-labelledby': 'models-title' },
    h('div', { class: 'toolbar' },
      h('h2', { id: 'models-title' }, 'Model usage distribution'),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', 'data-testid': 'export-models', onclick: exportCsv }, 'Export CSV')),
    s.byModel.length > 1 ? filter : null,
    chartBox,
    s.byModel.length === 0 ? null : table('Credits by model', ['Model', { label: 'Credits', num: true }, { label: 'Share', num: true }, { label: 'Events', num: true }],
      s.byModel.map((m) => h('tr', { 'data-model': m.model },
        h('th', { scope: 'row' }, h('span', { class: 'swatch', style: { background: colorOf(m.model) } }), m.model),
        h('td', { class: 'num', 'data-col': 'credits' }, m.credits),
        h('td', { class: 'num' }, percentText(m.percent)),
        h('td', { class: 'num' }, String(m.events)))), { 'data-testid': 'model-table' }));
}

function shareCard(title, key, shares, keyOf, testId) {
  const colorOf = colorMap(shares.map(keyOf));
  return h('section', { class: 'card', 'aria-label': title },
    h('h2', {}, title),
    shares.length === 0 ? empty('No usage in this range.') : [
      shareBars(`Credits by ${key}`, shares, keyOf, colorOf),
      table(`Credits by ${key}`, [key === 'activity' ? 'Activity' : 'Agent', { label: 'Credits', num: true }, { label: 'Share', num: true }],
        shares.map((x) => h('tr', {}, h('th', { scope: 'row' }, keyOf(x)), h('td', { class: 'num' }, x.credits), h('td', { class: 'num' }, percentText(x.percent)))),
        { 'data-testid': testId }),
    ]);
}

export function dailyTable(days) {
  return h('details', {}, h('summary', {}, 'Daily figures'),
    table('Credits per day', ['Date', { label: 'Credits', num: true }, { label: 'Events', num: true }],
      days.map((d) => h('tr', {}, h('th', { scope: 'row' }, d.date), h('td', { class: 'num' }, d.credits), h('td', { class: 'num' }, String(d.events))))));
}
