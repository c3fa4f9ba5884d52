import type { CaseKind, SlaClock } from '../../core/support/sla.ts';
import type { StaffSession } from '../../services/support/staff-accounts.ts';
import type { QueueItem } from '../../services/support/queue.ts';
import type { TeamMember } from '../../services/support/team.ts';
import type { ChangeRecord } from '../../core/change-kinds.ts';
import { changeTitle } from './change-view.ts';
import { DASHBOARD_PERIODS } from '../../core/support/stats.ts';
import type { DashboardView } from '../../services/support/dashboard.ts';
import { barChart } from '../svg-chart.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime, formatDuration, translateOr } from '../i18n/translate.ts';
import { csrfField, layout } from '../layout.ts';
import { errorSummary, field } from '../forms.ts';
import type { FormState, PageContext } from '../page-context.ts';

export function staffNav(ctx: PageContext, staff: StaffSession | null): SafeHtml | undefined {
  if (!staff) return html`<a href="/staff/sign-in">${ctx.t('staff.signIn.title')}</a>`;
  return html`<a href="/staff">${ctx.t('staff.queue.title')}</a> <a href="/staff/dashboard">${ctx.t('staff.dashboard.title')}</a>${staff.role === 'admin' ? html` <a href="/staff/team">${ctx.t('staff.team.title')}</a> <a href="/staff/audit">${ctx.t('staff.audit.title')}</a>` : ''}
<span class="who">${staff.name} (${ctx.t(`staff.role.${staff.role}`)})</span>
<form method="post" action="/staff/sign-out" class="inline">${csrfField(ctx)}<button type="submit" class="link">${ctx.t('nav.signOut')}</button></form>`;
}

export function staffSignInPage(ctx: PageContext, state: FormState = {}): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('staff.signIn.title'),
    html`<p>${t('staff.signIn.lead')}</p>${errorSummary(state)}<form method="post" action="/staff/sign-in" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'email', label: 'signIn.email', type: 'email', autocomplete: 'username', required: true, maxlength: 254 }, state)}
${field(ctx, { name: 'password', label: 'signIn.password', type: 'password', autocomplete: 'current-password', required: true }, state)}
${field(ctx, { name: 'code', label: 'twoStep.code', autocomplete: 'one-time-code', required: true, maxlength: 6 }, state)}
<button type="submit">${t('signIn.submit')}</button></form>`,
    { nav: staffNav(ctx, null) },
  );
}

/** "due in 42 min" / "late by 1 h 5 min", from the server's clock. */
export function clockText(ctx: PageContext, clock: SlaClock): string {
  const minutes = Math.ceil(Math.abs(clock.remainingMs) / 60_000);
  const span =
    minutes >= 60
      ? ctx.t('staff.clock.hours', { h: Math.floor(minutes / 60), m: minutes % 60 })
      : ctx.t('staff.clock.minutes', { m: minutes });
  const what = ctx.t(`staff.clock.${clock.kind}`);
  return clock.breached ? ctx.t('staff.clock.late', { what, span }) : ctx.t('staff.clock.due', { what, span });
}

const KINDS: CaseKind[] = ['incident', 'message', 'callback'];

export function queuePage(
  ctx: PageContext,
  staff: StaffSession,
  items: QueueItem[],
  filter: CaseKind | undefined,
): string {
  const { t } = ctx;
  const filters = html`<nav class="filters" aria-label="${t('staff.queue.filter')}"><a href="/staff"${filter ? '' : html` aria-current="page"`}>${t('staff.queue.all')}</a>${KINDS.map(
    (kind) =>
      html` <a href="/staff?kind=${kind}"${filter === kind ? html` aria-current="page"` : ''}>${t(`staff.kind.${kind}`)}</a>`,
  )}</nav>`;
  const rows = items.map(
    (item) => html`<tr data-case="${item.id}" class="${item.next?.breached ? 'breached' : ''}">
<td><span class="clock${item.next?.breached ? ' late' : ''}" data-testid="clock">${item.next ? clockText(ctx, item.next) : t('staff.clock.none')}</span></td>
<td>${t(`staff.kind.${item.kind}`)}${item.state ? html` · ${translateOr(ctx.t, `staff.state.${item.state}`, item.state)}` : ''}</td>
<td><a href="/staff/accounts/${item.accountId}">${item.accountEmail}</a></td>
<td>${item.summary ?? ''}${
      item.waitingOnShop
        ? html`<p class="warning" data-testid="waiting-on-shop">${ctx.t('staff.queue.waitingOnShop', { count: item.waitingOnShop.count, age: formatDuration(ctx.t, Date.parse(ctx.now) - Date.parse(item.waitingOnShop.since)) })}</p>`
        : ''
    }${item.assignedTo ? html`<br><small>${ctx.t('staff.case.assigned', { name: item.assignedTo })}</small>` : ''}</td>
<td>${formatDateTime(ctx, item.openedAt)}</td></tr>`,
  );
  return layout(
    ctx,
    t('staff.queue.title'),
    html`<p>${t('staff.queue.lead')}</p>${filters}${
      items.length === 0
        ? html`<p data-testid="queue-empty">${t('staff.queue.empty')}</p>`
        : html`<table class="queue" data-testid="queue"><thead><tr><th scope="col">${t('staff.queue.clock')}</th><th scope="col">${t('staff.queue.kind')}</th><th scope="col">${t('staff.queue.account')}</th><th scope="col">${t('staff.queue.summary')}</th><th scope="col">${t('staff.queue.opened')}</th></tr></thead><tbody>${rows}</tbody></table>`
    }`,
    { nav: staffNav(ctx, staff) },
  );
}

export function teamPage(ctx: PageContext, staff: StaffSession, members: TeamMember[]): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('staff.team.title'),
    html`<table data-testid="team"><thead><tr><th scope="col">${t('account.name')}</th><th scope="col">${t('signIn.email')}</th><th scope="col">${t('staff.team.role')}</th><th scope="col">${t('staff.team.since')}</th></tr></thead>
<tbody>${members.map((m) => html`<tr><td>${m.name}</td><td>${m.email}</td><td>${t(`staff.role.${m.role}`)}</td><td>${formatDateTime(ctx, m.createdAt)}</td></tr>`)}</tbody></table>`,
    { nav: staffNav(ctx, staff) },
  );
}

const CLOCK_KINDS = ['first-response', 'containment', 'recovery'] as const;
const minutes = (ms: number | null) => (ms === null ? null : ms / 60_000);

export function dashboardPage(ctx: PageContext, staff: StaffSession, view: DashboardView): string {
  const { t } = ctx;
  const fmt = (ms: number | null) => {
    if (ms === null) return '–';
    const total = Math.round(ms / 60_000);
    return total >= 120
      ? t('staff.clock.hours', { h: Math.floor(total / 60), m: total % 60 })
      : t('staff.dashboard.minutes', { m: total });
  };
  const periods = html`<nav class="filters" aria-label="${t('staff.dashboard.period')}">${DASHBOARD_PERIODS.map(
    (d) =>
      html` <a href="/staff/dashboard?days=${d}"${view.days === d ? html` aria-current="page"` : ''}>${t('staff.dashboard.days', { days: d })}</a>`,
  )}</nav>`;
  return layout(
    ctx,
    t('staff.dashboard.title'),
    html`${periods}<p>${t('staff.dashboard.lead', { from: formatDateTime(ctx, view.from), to: formatDateTime(ctx, view.to) })}</p>
<dl class="figures"><dt>${t('staff.dashboard.incidents')}</dt><dd data-testid="incidents-opened">${view.incidentsOpened}</dd>
<dt>${t('staff.dashboard.byCustomer')}</dt><dd data-testid="opened-by-customer">${view.openedBy['customer-link'] ?? 0}</dd>
<dt>${t('staff.dashboard.byStaff')}</dt><dd>${view.openedBy.staff ?? 0}</dd>
<dt>${t('staff.dashboard.byRisk')}</dt><dd>${view.openedBy['risk-engine'] ?? 0}</dd>
<dt>${t('staff.dashboard.requests')}</dt><dd>${view.requestsOpened}</dd></dl>
<table data-testid="clock-stats"><thead><tr><th scope="col">${t('staff.queue.clock')}</th><th scope="col">${t('staff.dashboard.count')}</th><th scope="col">${t('staff.dashboard.median')}</th><th scope="col">${t('staff.dashboard.p90')}</th><th scope="col">${t('staff.dashboard.target')}</th><th scope="col">${t('staff.dashboard.missed')}</th></tr></thead>
<tbody>${CLOCK_KINDS.map((kind) => {
      const s = view.clocks[kind];
      return html`<tr><th scope="row">${t(`staff.clock.${kind}`)}</th><td>${s.count}</td><td>${fmt(s.median)}</td><td>${fmt(s.p90)}</td><td>${fmt(s.targetMs)}</td><td>${s.missed}</td></tr>`;
    })}</tbody></table>
${CLOCK_KINDS.map((kind) => {
  const s = view.clocks[kind];
  const title = t('staff.dashboard.chart', { what: t(`staff.clock.${kind}`) });
  return html`<figure><figcaption>${title}</figcaption>${barChart({ title, unit: t('staff.dashboard.minuteUnit'), target: minutes(s.targetMs), points: s.daily.map((d) => ({ label: d.day, value: minutes(d.median) })) })}</figure>`;
})}`,
    { nav: staffNav(ctx, staff) },
  );
}

export interface StaffActionView {
  record: ChangeRecord;
  accountEmail: string;
}

/** Every staff action on every account, for admins. */
export function auditPage(ctx: PageContext, staff: StaffSession, actions: StaffActionView[]): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('staff.audit.title'),
    html`<p>${t('staff.audit.lead')}</p><table data-testid="audit"><thead><tr><th scope="col">${t('activity.when')}</th><th scope="col">${t('staff.audit.who')}</th><th scope="col">${t('activity.what')}</th><th scope="col">${t('staff.queue.account')}</th></tr></thead>
<tbody>${actions.map(
      (a) =>
        html`<tr><td>${formatDateTime(ctx, a.record.occurredAt)}</td><td>${a.record.actor.device}</td><td>${changeTitle(ctx, a.record.kind)}</td><td><a href="/staff/accounts/${a.record.accountId}">${a.accountEmail}</a></td></tr>`,
    )}</tbody></table>`,
    { nav: staffNav(ctx, staff) },
  );
}
