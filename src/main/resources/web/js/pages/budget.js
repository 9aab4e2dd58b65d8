// Organization Usage, Budget tab: the org monthly budget card, the Configure Budget panel, Bulk
// Manage (template, dry run with warnings and errors, save) and the table with inline budget edits.
import * as api from '../api.js';
import { h, replace, section, metric, announce } from '../dom.js';
import { rangeSelector, monthToDate } from '../range.js';
import { colorMap } from '../charts.js';
import { membersTable } from '../members-table.js';
import { parseInput } from '../decimal.js';
import { tabs, summaryUrl } from './org-usage.js';

export function budgetPage(ctx) {
  const org = api.enc(ctx.orgId);
  const rerender = () => budgetPage(ctx);
  const body = h('div', {});
  replace(ctx.main,
    h('h1', {}, `Organization Usage — ${ctx.orgId}`),
    tabs('budget'),
    body);
  section(body, 'budgets', async () => {
    const [settings, overrides, month, summary] = await Promise.all([
      api.get(`/v1/orgs/${org}/budgets`),
      api.get(`/v1/orgs/${org}/budgets/members`),
      api.get(summaryUrl(ctx.orgId, monthToDate(ctx.today))),
      api.get(summaryUrl(ctx.orgId, ctx.state.range)),
    ]);
    return { settings, overrides: new Map(overrides.overrides.map((o) => [o.memberId, o.credits])), month, summary };
  }, (d) => {
    const panel = h('div', { id: 'configure-panel', hidden: !ctx.state.configuring });
    const toggle = h('button', { type: 'button', class: 'primary', 'data-focus': 'configure-toggle', 'aria-expanded': String(Boolean(ctx.state.configuring)), 'aria-controls': 'configure-panel',
      onclick: () => { ctx.state.configuring = !ctx.state.configuring; rerender(); } }, ctx.state.configuring ? 'Close' : 'Edit budget');
    if (ctx.state.configuring) panel.append(configurePanel(ctx, d.settings, rerender));
    const o = d.settings.org;
    return [
      h('section', { class: 'card', 'aria-labelledby': 'org-budget-title' },
        h('div', { class: 'toolbar' }, h('h2', { id: 'org-budget-title' }, 'Organization Monthly Budget'), h('span', { class: 'spacer' }), toggle),
        h('div', { class: 'metrics' },
          metric('Monthly budget', o.credits ?? 'Unlimited', 'org-budget', o.enforce ? 'enforced' : 'tracking only'),
          metric('Consumed this month', d.month.creditsConsumed, 'org-month-consumed', `${d.month.from} to ${d.month.to} (exclusive)`),
          metric('Default member budget', d.settings.defaultMember.credits ?? 'Unlimited', 'default-member-budget',
            d.settings.defaultMember.enforce ? 'enforced' : 'tracking only'))),
      panel,
      rangeSelector(ctx.today, ctx.state.range, (range) => { ctx.state.range = range; rerender(); }),
      membersTable({ orgId: ctx.orgId, range: ctx.state.range, colorOf: colorMap(d.summary.byModel.map((m) => m.model)),
        budgets: { settings: d.settings, overrides: d.overrides }, onChanged: rerender }),
    ];
  });
}

function budgetFieldset(prefix, legend, b, notifyField, notifyLabel) {
  const id = (x) => `${prefix}-${x}`;
  return h('fieldset', { class: 'budget' }, h('legend', {}, legend),
    h('label', { class: 'field', for: id('credits') }, 'Budget amount (credits; empty = unlimited)',
      h('input', { id: id('credits'), name: id('credits'), type: 'text', inputmode: 'decimal', value: b.credits ?? '' })),
    h('label', { class: 'field inline', for: id('enforce') }, h('input', { id: id('enforce'), type: 'checkbox', checked: b.enforce }), 'Enforce budget'),
    h('label', { class: 'field inline', for: id('notify') }, h('input', { id: id('notify'), type: 'checkbox', checked: b[notifyField] }), notifyLabel),
    h('label', { class: 'field', for: id('alert') }, 'Alert %',
      h('input', { id: id('alert'), type: 'number', min: 1, max: 100, step: 1, value: b.alertPercent, style: { width: '6rem' } })));
}

function readFieldset(form, prefix, legend, notifyField) {
  const v = (x) => form.querySelector(`#${prefix}-${x}`);
  const credits = v('credits').value.trim();
  const alert = v('alert').value.trim();
  if (!/^[0-9]+$/.test(alert) || Number(alert) < 1 || Number(alert) > 100) {
    v('alert').focus();
    throw new Error(`${legend}: Alert % must be a whole number from 1 to 100`);
  }
  return {
    credits: credits === '' ? null : parseInput(credits),
    enforce: v('enforce').checked,
    [notifyField]: v('notify').checked,
    alertPercent: Number(alert),
  };
}

function configurePanel(ctx, settings, rerender) {
  const message = h('p', { role: 'alert', class: 'muted' });
  const form = h('form', { 'aria-labelledby': 'configure-title', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await api.put(`/v1/orgs/${api.enc(ctx.orgId)}/budgets`, {
        org: readFieldset(form, 'org', 'Org monthly budget', 'notifyAdmin'),
        defaultMember: readFieldset(form, 'member', 'Default monthly user budget', 'notifyUser'),
      });
      announce('Budgets saved');
      ctx.state.configuring = false;
      document.querySelector('[data-focus="configure-toggle"]')?.focus(); // the panel closes: back to its toggle
      rerender();
    } catch (err) {
      message.textContent = `Not saved: ${err.message}`;
    }
  } },
  h('div', { class: 'grid' },
    budgetFieldset('org', 'Org monthly budget', settings.org, 'notifyAdmin', 'Notify admin'),
    budgetFieldset('member', 'Default monthly user budget', settings.defaultMember, 'notifyUser', 'Notify user')),
  h('div', { class: 'form-actions' },
    h('button', { type: 'submit', class: 'primary' }, 'Save'),
    h('button', { type: 'button', 'data-focus': 'bulk-toggle', 'aria-expanded': String(Boolean(ctx.state.bulk)), onclick: () => { ctx.state.bulk = !ctx.state.bulk; rerender(); } }, 'Bulk Manage')),
  message);
  return h('section', { class: 'card', 'aria-labelledby': 'configure-title' },
    h('h2', { id: 'configure-title' }, 'Configure Budget'),
    h('p', { class: 'muted' }, 'Member overrides replace only the amount; enforcement and alerts come from the default monthly user budget.'),
    form,
    ctx.state.bulk ? bulkManage(ctx, rerender) : null);
}

/** Bulk Manage: download the template, upload a CSV (a dry run shows its issues), then Save applies it. */
function bulkManage(ctx, rerender) {
  const url = `/v1/orgs/${api.enc(ctx.orgId)}/budgets/members.csv`;
  const report = h('div', { 'data-testid': 'bulk-report', 'aria-live': 'polite' });
  let csvBytes = null; // the file as it is: the server reports bytes that are not UTF-8 (Blob.text() would replace them)
  const save = h('button', { type: 'button', class: 'primary', disabled: true, 'data-testid': 'bulk-save', 'aria-label': 'Save the uploaded budgets', onclick: async () => {
    save.disabled = true;
    try {
      const r = await api.postBody(url, csvBytes, 'text/csv');
      replace(report, h('p', { class: 'notice', role: 'status' }, `Saved: ${r.applied} budget changes applied.`));
      announce(`Saved: ${r.applied} budget changes applied`);
      setTimeout(rerender, 1200);
    } catch (err) {
      const d = err.details && err.details.errors ? err.details : null;
      replace(report, h('p', { class: 'state error', role: 'alert' }, `Not saved: ${err.message}`), d ? issues(d) : null);
    }
  } }, 'Save');
  let checking = 0; // a late check of an earlier file must not report on (and enable Save for) the later one
  const file = h('input', { type: 'file', id: 'bulk-file', accept: '.csv,text/csv', onchange: async () => {
    const f = file.files[0];
    if (!f) return;
    const mine = ++checking;
    save.disabled = true;
    csvBytes = null;
    const bytes = await f.arrayBuffer();
    if (mine !== checking) return;
    csvBytes = bytes;
    replace(report, h('p', { class: 'muted', role: 'status' }, `Checking ${f.name}…`));
    try {
      const r = await api.postBody(api.path(url, { dryRun: true }), bytes, 'text/csv');
      if (mine !== checking) return;
      replace(report,
        h('p', {}, `${f.name}: ${r.rows} rows, ${r.changes} changes, ${r.warningCount} warnings, ${r.errorCount} errors.`),
        issues(r),
        r.errorCount > 0 ? h('p', { class: 'state error' }, 'Fix the errors and upload the file again; nothing is saved while the file has errors.') : null);
      save.disabled = r.errorCount > 0;
    } catch (err) {
      if (mine !== checking) return;
      replace(report, h('p', { class: 'state error', role: 'alert' }, `Could not check the file: ${err.message}`));
    }
  } });
  return h('section', { class: 'card', 'aria-labelledby': 'bulk-title', 'data-testid': 'bulk-manage' },
    h('h3', { id: 'bulk-title' }, 'Bulk Manage'),
    h('p', { class: 'muted' }, 'Columns user,budget: an email or "SA name", and credits; an empty budget clears the override, "unlimited" sets no limit.'),
    h('div', { class: 'form-actions' },
      h('button', { type: 'button', 'data-testid': 'bulk-template', onclick: async () => announce(`Downloaded ${await api.download(url)}`) }, 'Download template'),
      h('label', { class: 'field', for: 'bulk-file' }, 'Upload CSV', file),
      save),
    report);
}

function issues(r) {
  const list = (kind, items) => items.length === 0 ? null : h('div', {},
    h('h4', {}, kind === 'warnings' ? `Warnings (${r.warningCount})` : `Errors (${r.errorCount})`),
    h('ul', { class: `issues ${kind}`, 'data-testid': `bulk-${kind}` },
      items.map((i) => h('li', {}, `Line ${i.line}${i.user ? ` (${i.user})` : ''}: ${i.message}`))));
  return [list('errors', r.errors), list('warnings', r.warnings)];
}
