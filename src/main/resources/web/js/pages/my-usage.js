// My Usage (member keys): the monthly budget card, presets and custom range, credits consumed,
// average per day, the model distribution as one stacked bar (top 7, the rest as "Other"), daily bars.
import * as api from '../api.js';
import { h, replace, section, metric, table, empty, bar } from '../dom.js';
import { rangeSelector } from '../range.js';
import { daily, stackedBar, colorMap, OTHER_COLOR } from '../charts.js';
import { sum, percentText, usageShown } from '../decimal.js';
import { dailyTable } from './org-usage.js';

export const TOP_MODELS = 7;

/** The top models as they are and the rest summed exactly into "Other". */
export function topModels(byModel) {
  const top = byModel.slice(0, TOP_MODELS).map((m) => ({ name: m.model, credits: m.credits, percent: m.percent }));
  const rest = byModel.slice(TOP_MODELS);
  if (rest.length > 0) top.push({ name: 'Other', credits: sum(rest.map((m) => m.credits)), percent: null, count: rest.length });
  return top;
}

export function myUsagePage(ctx) {
  const body = h('div', {});
  replace(ctx.main,
    h('h1', {}, 'My Usage'),
    rangeSelector(ctx.today, ctx.state.range, (range) => { ctx.state.range = range; myUsagePage(ctx); }),
    body);
  section(body, 'your usage', () => api.get(api.path('/v1/me/usage', { from: ctx.state.range.from, to: ctx.state.range.to })), (u) => {
    const segments = topModels(u.byModel);
    const colors = colorMap(segments.filter((s) => s.name !== 'Other').map((s) => s.name));
    const colorOf = (name) => (name === 'Other' ? OTHER_COLOR : colors(name));
    return [
      budgetCard(u.monthlyBudget),
      h('p', { class: 'muted', 'data-testid': 'my-member' }, `Signed in as ${u.memberId} (${u.orgId})`),
      h('div', { class: 'metrics' },
        metric('Credits Consumed', u.creditsConsumed, 'credits-consumed', `${u.events} events`),
        metric('Avg Credits / Day', u.avgCreditsPerDay, 'avg-credits-per-day', `over ${u.days} days`)),
      h('section', { class: 'card', 'aria-labelledby': 'my-models-title' },
        h('h2', { id: 'my-models-title' }, 'Model usage distribution'),
        segments.length === 0 ? empty('No usage in this range.') : [
          stackedBar('Your credits by model', segments, colorOf),
          table('Your credits by model', ['Model', { label: 'Credits', num: true }, { label: 'Share', num: true }],
            segments.map((s) => h('tr', { 'data-model': s.name },
              h('th', { scope: 'row' }, h('span', { class: 'swatch', style: { background: colorOf(s.name) } }),
                s.name, s.count ? ` (${s.count} ${s.count === 1 ? 'model' : 'models'})` : ''),
              h('td', { class: 'num', 'data-col': 'credits' }, s.credits),
              h('td', { class: 'num' }, percentText(s.percent)))), { 'data-testid': 'my-model-table' }),
        ]),
      h('section', { class: 'card', 'aria-labelledby': 'my-daily-title' },
        h('h2', { id: 'my-daily-title' }, 'Daily usage'),
        u.events === 0 ? empty('No usage in this range.') : daily(`Your credits per day, ${u.from} to ${u.to}`, u.daily, 'bar'),
        dailyTable(u.daily)),
    ];
  });
}

function budgetCard(b) {
  const usage = usageShown(b.consumed, b.credits, b.usagePercent);
  return h('section', { class: 'card', 'aria-labelledby': 'my-budget-title', 'data-testid': 'my-budget' },
    h('h2', { id: 'my-budget-title' }, 'My Monthly Budget'),
    h('p', { class: 'muted' }, `${b.periodStart} to today (the month resets on ${b.periodEnd}, UTC)`),
    h('div', { class: 'metrics' },
      metric('Used this month', b.consumed, 'budget-consumed'),
      metric('Monthly budget', b.credits ?? 'Unlimited', 'budget-credits', b.credits === null ? null : (b.enforce ? 'enforced' : 'tracking only'))),
    b.credits === null ? null : h('div', { class: 'usage-cell' }, bar(usage.percent, `${usage.text} of your monthly budget`),
      h('span', { 'data-testid': 'budget-percent' }, usage.text)));
}
