// The dashboard: sign in with an API key (kept in sessionStorage), learn the key's role from
// GET /v1/me, and show the pages that role may see.
import * as api from './api.js';
import { h, replace, failure } from './dom.js';
import { preset } from './range.js';
import { usagePage } from './pages/org-usage.js';
import { budgetPage } from './pages/budget.js';
import { myUsagePage } from './pages/my-usage.js';
import { billingPage } from './pages/billing.js';
import { modelsPage } from './pages/models.js';

const ORG_PAGES = new Set(['usage', 'budget', 'billing']);
const PAGES_BY_ROLE = {
  admin: ['usage', 'billing', 'models'],
  operator: ['usage', 'billing', 'models'],
  member: ['me', 'models'],
};
const PAGES = {
  usage: ['Organization Usage', usagePage],
  budget: ['Organization Usage', budgetPage],
  billing: ['Plan & billing', billingPage],
  me: ['My Usage', myUsagePage],
  models: ['Models', modelsPage],
};

const main = document.getElementById('main');
let ctx = null;

async function start() {
  if (!api.session.key()) return signInPage();
  try {
    const me = await api.get('/v1/me');
    ctx = { me, today: me.today, main, orgId: me.orgId || api.session.chosenOrg(), state: { range: preset(me.today, 30) } };
  } catch (err) {
    if (err.status === 401) {
      api.session.signOut();
      return signInPage('That key was not accepted. Check it and sign in again.');
    }
    replace(main, failure('your session', err));
    return;
  }
  sessionBar();
  route();
}

function signInPage(problem) {
  replace(document.getElementById('nav'));
  replace(document.getElementById('session'));
  const key = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, 'aria-describedby': 'key-help' });
  const message = h('p', { class: 'state error', role: 'alert', hidden: !problem }, problem || '');
  replace(main, h('section', { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in'),
    h('form', { onsubmit: async (e) => {
      e.preventDefault();
      const value = key.value.trim();
      try {
        await api.get('/v1/me', value);
        api.session.signIn(value);
        location.hash = '';
        start();
      } catch (err) {
        message.hidden = false;
        message.textContent = err.status === 401 ? 'That key was not accepted.' : `Could not sign in: ${err.message}`;
      }
    } },
    h('label', { class: 'field', for: 'api-key' }, 'API key', key),
    h('p', { id: 'key-help', class: 'muted' }, 'An admin key shows your organization, a member key your own usage. The key stays in this browser tab only.'),
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'))));
  key.focus();
}

function sessionBar() {
  const who = ctx.me.role === 'operator' ? 'operator' : `${ctx.me.memberId || ctx.me.role} · ${ctx.me.orgId}`;
  const parts = [h('span', { class: 'who', 'data-testid': 'who' }, `${who} (${ctx.me.role})`)];
  if (ctx.me.role === 'operator') {
    const org = h('input', { id: 'operator-org', value: ctx.orgId || '', placeholder: 'org id', autocomplete: 'off' });
    parts.push(h('form', { class: 'session', onsubmit: (e) => {
      e.preventDefault();
      api.session.chooseOrg(org.value.trim());
      ctx.orgId = org.value.trim() || null;
      route();
    } }, h('label', { for: 'operator-org', class: 'visually-hidden' }, 'Organization'), org, h('button', { type: 'submit' }, 'Open')));
  }
  parts.push(h('button', { type: 'button', 'data-testid': 'sign-out', onclick: () => {
    api.session.signOut();
    location.hash = '';
    signInPage();
  } }, 'Sign out'));
  replace(document.getElementById('session'), parts);
}

function route() {
  const allowed = PAGES_BY_ROLE[ctx.me.role] || ['models'];
  let page = (location.hash.replace(/^#\//, '') || allowed[0]);
  if (page === 'budget' && allowed.includes('usage')) { /* a tab of Organization Usage */ } else if (!allowed.includes(page)) page = allowed[0];
  const current = page === 'budget' ? 'usage' : page;
  replace(document.getElementById('nav'), allowed.map((p) => h('a', { href: `#/${p}`, 'aria-current': p === current ? 'page' : null }, PAGES[p][0])));
  const [title, render] = PAGES[page];
  document.title = `${title} · Creditline`;
  if (ORG_PAGES.has(page) && !ctx.orgId) {
    replace(main, h('h1', {}, title), h('p', { class: 'state empty' }, 'Enter an organization id above to see its usage, budgets and billing.'));
    return;
  }
  render(ctx);
}

window.addEventListener('hashchange', () => {
  if (!ctx || !api.session.key()) return;
  route();
  main.focus();
});
start();
