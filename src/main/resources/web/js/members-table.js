// The per-user table of Organization Usage (and of the Budget tab, where budgets are edited inline):
// sort by any column, search, CSV export, a model-breakdown mini chart per row, budget and usage bar.
import * as api from './api.js';
import { h, replace, loading, failure, empty, bar, announce } from './dom.js';
import { compare, parseInput, percentText, usageShown } from './decimal.js';

const PAGE_SIZE = 500;
const PAGES_MAX = 20;
/** Columns the API sorts (with its own tie-breaks); the others are sorted here, exactly, over every row. */
const SERVER_SORTS = { member: 'member', credits: 'credits' };
const CLIENT_SORTS = {
  events: (a, b) => a.events - b.events,
  budget: (a, b) => compare(a.budget, b.budget),
  usage: (a, b) => shownPercent(a) - shownPercent(b),
};

const shownPercent = (r) => (r.budget === null ? -1 : usageShown(r.budgetConsumed, r.budget, r.usagePercent).percent ?? -1);

async function allRows(orgId, range, sort, order, search) {
  const rows = [];
  for (let page = 1; page <= PAGES_MAX; page++) {
    const r = await api.get(api.path(`/v1/orgs/${api.enc(orgId)}/usage/members`,
      { from: range.from, to: range.to, sort, order, search, page, pageSize: PAGE_SIZE }));
    rows.push(...r.rows);
    if (rows.length >= r.total || r.rows.length === 0) return { rows, total: r.total };
  }
  return { rows, total: null };
}

/**
 * opts: {orgId, range, colorOf (model colours), budgets: {settings, overrides} when editable}.
 */
export function membersTable(opts) {
  const state = { sort: 'credits', order: 'desc', search: '', rows: [], total: 0 };
  const body = h('div', {}, loading('members'));
  const searchInput = h('input', { type: 'search', id: 'member-search', placeholder: 'email or SA name', autocomplete: 'off' });
  let timer = null;
  searchInput.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => { state.search = searchInput.value.trim(); load(); }, 250);
  });
  const exportButton = h('button', { type: 'button', 'data-testid': 'export-members', onclick: () => exportCsv() }, 'Export CSV');

  async function exportCsv() {
    try {
      const name = await api.download(api.path(`/v1/orgs/${api.enc(opts.orgId)}/usage/members.csv`, {
        from: opts.range.from, to: opts.range.to, search: state.search,
        sort: SERVER_SORTS[state.sort] ? state.sort : 'credits', order: SERVER_SORTS[state.sort] ? state.order : 'desc' }));
      announce(`Downloaded ${name}`);
    } catch (err) {
      announce(`Export failed: ${err.message}`);
    }
  }

  let latest = 0;
  async function load() {
    const mine = ++latest; // an answer to an older search or sort that arrives late is dropped
    replace(body, loading('members'));
    try {
      const server = SERVER_SORTS[state.sort];
      const r = await allRows(opts.orgId, opts.range, server || 'credits', server ? state.order : 'desc', state.search);
      if (mine !== latest) return;
      state.rows = r.rows;
      state.total = r.total;
      render();
    } catch (err) {
      if (mine === latest) replace(body, failure('members', err));
    }
  }

  function sorted() {
    const cmp = CLIENT_SORTS[state.sort];
    if (!cmp) return state.rows;
    const rows = [...state.rows];
    rows.sort((a, b) => (state.order === 'asc' ? cmp(a, b) : cmp(b, a)));
    return rows;
  }

  function header(key, label, num) {
    const active = state.sort === key;
    const next = active ? (state.order === 'asc' ? 'desc' : 'asc') : (key === 'member' ? 'asc' : 'desc');
    return h('th', { scope: 'col', class: num ? 'num' : null, 'aria-sort': active ? (state.order === 'asc' ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sort', 'data-sort': key, 'data-focus': `sort-${key}`, onclick: () => {
        state.sort = key;
        state.order = next;
        if (SERVER_SORTS[key]) load(); else render();
        announce(`Sorted by ${label}, ${next === 'asc' ? 'ascending' : 'descending'}`);
      } }, label));
  }

  function render() {
    if (state.rows.length === 0) {
      replace(body, empty(state.search ? `No member matches “${state.search}”.` : 'No members yet.'));
      return;
    }
    const withBudget = Boolean(opts.budgets) || state.rows.some((r) => r.budget !== null);
    const headers = [header('member', 'User'), header('credits', 'Credits', true), header('events', 'Events', true),
      h('th', { scope: 'col', class: 'hide-narrow' }, 'Model breakdown')];
    if (withBudget) headers.push(header('budget', 'Budget', true), header('usage', 'Usage'));
    const rows = sorted().map((r) => row(r, withBudget));
    const note = state.total === null ? h('p', { class: 'muted' }, `Showing the first ${state.rows.length} members.`) : null;
    replace(body, h('div', { class: 'table-wrap' },
      h('table', { 'data-testid': 'members-table' },
        h('caption', {}, `${state.total ?? state.rows.length} members, ${opts.range.from} to ${opts.range.to} (exclusive)`),
        h('thead', {}, h('tr', {}, headers)),
        h('tbody', {}, rows))), note);
  }

  function row(r, withBudget) {
    const cells = [
      h('th', { scope: 'row', 'data-col': 'member' }, r.memberId, r.current ? null : h('span', { class: 'badge' }, 'removed')),
      h('td', { class: 'num', 'data-col': 'credits' }, r.credits),
      h('td', { class: 'num', 'data-col': 'events' }, String(r.events)),
      h('td', { class: 'hide-narrow' }, miniChart(r)),
    ];
    if (withBudget && !r.current) {
      // A removed member has no budget to show or edit; their recorded usage stays listed.
      cells.push(h('td', { class: 'num muted', 'data-col': 'budget' }, '—'), h('td', { class: 'muted', 'data-col': 'usage' }, '—'));
    } else if (withBudget) {
      cells.push(h('td', { class: 'num', 'data-col': 'budget' }, opts.budgets ? budgetEditor(r) : (r.budget ?? 'Unlimited')));
      cells.push(h('td', { 'data-col': 'usage' }, r.budget === null ? h('span', { class: 'muted' }, '—')
        : h('div', { class: 'usage-cell' }, usageBar(r), h('span', {}, `${r.budgetConsumed} / ${r.budget} (${usageText(r)})`))));
    }
    return h('tr', { 'data-member': r.memberId }, cells);
  }

  const usageText = (r) => usageShown(r.budgetConsumed, r.budget, r.usagePercent).text;
  const usageBar = (r) => bar(usageShown(r.budgetConsumed, r.budget, r.usagePercent).percent, `${usageText(r)} of the monthly budget`);

  function miniChart(r) {
    if (r.byModel.length === 0) return h('span', { class: 'muted' }, 'no usage');
    const label = r.byModel.map((m) => `${m.model} ${m.credits} (${percentText(m.percent)})`).join(', ');
    return h('div', { class: 'stack', role: 'img', 'aria-label': label, title: label },
      r.byModel.map((m) => h('span', { style: { width: `${m.percent ?? 0}%`, background: opts.colorOf(m.model) } })));
  }

  /** The member's budget as a button; click for an input: Enter saves, empty clears the override, Escape cancels. */
  function budgetEditor(r) {
    const override = opts.budgets.overrides.get(r.memberId);
    const defaultCredits = opts.budgets.settings.defaultMember.credits;
    const shown = override !== undefined ? (override === null ? 'Unlimited' : override)
      : (defaultCredits === null ? 'not configured' : `${defaultCredits} (default)`);
    const cell = h('span', {});
    const button = h('button', { type: 'button', class: 'link', 'data-testid': 'edit-budget', 'data-focus': `budget-${r.memberId}`,
      'aria-label': `Budget of ${r.memberId}: ${shown}. Edit`, onclick: () => edit() }, shown);
    cell.append(button);
    function edit() {
      const input = h('input', { type: 'text', class: 'budget-edit', inputmode: 'decimal', value: override ?? '', 'data-focus': `budget-${r.memberId}`,
        'aria-label': `Monthly budget of ${r.memberId} in credits; empty to use the default, "unlimited" for no limit` });
      const message = h('span', { class: 'muted', role: 'alert' });
      input.addEventListener('keydown', async (e) => {
        if (e.key === 'Escape') { replace(cell, button); button.focus(); return; }
        if (e.key !== 'Enter') return;
        e.preventDefault();
        try {
          await saveOverride(r.memberId, input.value);
          announce(`Budget of ${r.memberId} saved`);
          opts.onChanged();
        } catch (err) {
          message.textContent = err.message;
        }
      });
      replace(cell, input, message);
      input.focus();
      input.select();
    }
    return cell;
  }

  async function saveOverride(memberId, text) {
    const url = `/v1/orgs/${api.enc(opts.orgId)}/budgets/members/${api.enc(memberId)}`;
    const value = text.trim();
    if (value === '') {
      try { await api.del(url); } catch (err) { if (err.code !== 'OVERRIDE_NOT_FOUND') throw err; }
    } else if (value.toLowerCase() === 'unlimited') {
      await api.put(url, { credits: null });
    } else {
      await api.put(url, { credits: parseInput(value) });
    }
  }

  load();
  return h('section', { class: 'card', 'aria-labelledby': 'members-title' },
    h('div', { class: 'toolbar' },
      h('h2', { id: 'members-title' }, 'Usage by user'),
      h('span', { class: 'spacer' }),
      h('label', { class: 'field', for: 'member-search' }, 'Search users', searchInput),
      exportButton),
    body);
}
