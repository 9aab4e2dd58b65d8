// Plan & billing (admins, operators): plan, credits used and remaining, tokens, percent of the
// monthly limit, the billing period, and the grants in force.
import * as api from '../api.js';
import { h, replace, section, metric, table, empty, bar } from '../dom.js';
import { percentText } from '../decimal.js';

export function billingPage(ctx) {
  const body = h('div', {});
  replace(ctx.main, h('h1', {}, `Plan & billing — ${ctx.orgId}`), body);
  section(body, 'the subscription', () => api.get(`/v1/orgs/${api.enc(ctx.orgId)}/subscription`), (s) => {
    const u = s.usage;
    return [
      h('section', { class: 'card', 'aria-labelledby': 'plan-title' },
        h('h2', { id: 'plan-title' }, 'Plan'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Plan'), h('dd', { 'data-testid': 'plan-name' }, `${s.planName} (${s.plan})`),
          h('dt', {}, 'Status'), h('dd', {}, s.status),
          h('dt', {}, 'When credits run out'), h('dd', {}, s.overage === 'allow' ? 'usage continues, billed as overage' : 'calls are blocked (hard limit)'),
          h('dt', {}, 'Billing period'), h('dd', { 'data-testid': 'billing-period' }, `from ${s.periodStart}, renews ${s.periodEnd}`))),
      h('div', { class: 'metrics' },
        metric('Credits used', u.creditsUsed, 'credits-used', `of ${u.creditsLimit} this month`),
        metric('Credits remaining', s.balance.credits, 'credits-remaining', `${s.balance.available} available, ${s.balance.reserved} reserved`),
        metric('Of monthly limit', percentText(u.percentUsed), 'percent-used'),
        metric('Overage', u.overageCredits, 'overage-credits')),
      u.percentUsed === null ? null : h('div', { class: 'card' }, bar(u.percentUsed, `${percentText(u.percentUsed)} of the monthly limit used`)),
      h('div', { class: 'grid' },
        h('section', { class: 'card', 'aria-labelledby': 'tokens-title' },
          h('h2', { id: 'tokens-title' }, 'Tokens this period'),
          table('Tokens by kind', ['Kind', { label: 'Tokens', num: true }], [
            tokenRow('Input', u.tokens.input), tokenRow('Output', u.tokens.output),
            tokenRow('Cache write', u.tokens.cacheWrite), tokenRow('Cache read', u.tokens.cacheRead),
            tokenRow('Total', u.totalTokensUsed, true),
          ], { 'data-testid': 'token-table' }),
          u.tokensLimit === null ? null : h('p', { class: 'muted' }, `Plan limit: ${u.tokensLimit} tokens a month`)),
        h('section', { class: 'card', 'aria-labelledby': 'grants-title' },
          h('h2', { id: 'grants-title' }, 'Grants in force'),
          s.balance.grants.length === 0 ? empty('No grants.') : table('Grants, expiring first',
            ['Granted', { label: 'Credits', num: true }, { label: 'Remaining', num: true }, 'Expires', 'Reason'],
            s.balance.grants.map((g) => h('tr', {},
              h('td', {}, g.createdAt.slice(0, 10)), h('td', { class: 'num' }, g.credits), h('td', { class: 'num' }, g.remaining),
              h('td', {}, g.expiresAt ? g.expiresAt.slice(0, 10) : 'never'), h('td', {}, g.reason || '—'))), { 'data-testid': 'grants-table' }))),
    ];
  });
}

function tokenRow(label, n, strong) {
  return h('tr', { 'data-kind': label }, h('th', { scope: 'row' }, strong ? h('strong', {}, label) : label), h('td', { class: 'num' }, String(n)));
}
