// Models: the rate card of every model in force now (credits per 1M tokens and flat costs).
import * as api from '../api.js';
import { h, replace, section, table, empty } from '../dom.js';

const RATE_COLUMNS = [
  ['creditInputPer1M', 'Input'], ['creditOutputPer1M', 'Output'], ['creditCacheWritePer1M', 'Cache write'],
  ['creditCacheWrite1hPer1M', 'Cache write 1h'], ['creditCacheReadPer1M', 'Cache read'],
  ['creditPerRequest', 'Per request'], ['creditPerToolCall', 'Per tool call'],
];

export function modelsPage(ctx) {
  const body = h('div', {});
  replace(ctx.main, h('h1', {}, 'Models'),
    h('p', { class: 'muted' }, 'Credits per 1,000,000 tokens, and flat credits per request and per tool call, in force now. Faded rows have no rates: they cost nothing.'),
    body);
  section(body, 'models', () => api.get('/v1/models'), (r) => (r.models.length === 0 ? empty('No models yet.')
    : h('section', { class: 'card' }, table('Rate cards', ['Model', 'Provider', 'Version',
      ...RATE_COLUMNS.map(([, label]) => ({ label, num: true })), 'Long context'],
    r.models.map((m) => h('tr', { 'data-model': m.id, class: m.priced ? null : 'unpriced' },
      h('th', { scope: 'row' }, m.name, m.name !== m.id ? h('div', { class: 'muted' }, m.id) : null,
        m.unmetered ? h('span', { class: 'badge' }, 'unmetered') : null, m.priced ? null : h('span', { class: 'badge warn' }, 'no rates')),
      h('td', {}, m.provider || '—'),
      h('td', {}, m.version === null ? '—' : [`v${m.version}`, h('div', { class: 'muted' }, `since ${m.effectiveFrom.slice(0, 10)}`)],
        m.nextVersion ? h('div', { class: 'muted' }, `v${m.nextVersion.version} from ${m.nextVersion.effectiveFrom.slice(0, 10)}`) : null),
      RATE_COLUMNS.map(([field]) => h('td', { class: 'num', 'data-col': field }, m.rates[field] ?? '—')),
      h('td', {}, m.rates.longContextTier ? `above ${m.rates.longContextTier.thresholdTokens} tokens: ${m.rates.longContextTier.creditInputPer1M ?? '—'} in / ${m.rates.longContextTier.creditOutputPer1M ?? '—'} out` : '—'))),
    { 'data-testid': 'models-table' }))));
}
