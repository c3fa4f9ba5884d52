import type { StaffSession } from '../../services/support/staff-accounts.ts';
import { staffProofLine } from './proof-pages.ts';
import type { CaseView, IncidentCase } from '../../services/support/case-view.ts';
import type { ShopDelivery } from '../../services/support/shop-deliveries.ts';
import { CALL_OUTCOMES } from '../../core/support/call-outcomes.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime, translateOr } from '../i18n/translate.ts';
import { csrfField, layout } from '../layout.ts';
import { errorSummary, fieldMessage, notice } from '../forms.ts';
import type { FormState, PageContext } from '../page-context.ts';
import { changeTable, changeTitle } from './change-view.ts';
import { isCustomerChange } from '../../core/change-kinds.ts';
import { stepLine, stepOutcome } from './incident-pages.ts';
import { answerForStep } from './shop-answers.ts';
import { heldOrdersSection } from './held-orders.ts';
import { heldOrdersFrom } from '../../core/shop/held-orders.ts';
import { clockText, staffNav } from './staff-pages.ts';
import { areaName } from '../i18n/area.ts';

function refFields(incidentId: string | null, requestId: string | null): SafeHtml {
  return html`${incidentId ? html`<input type="hidden" name="incidentId" value="${incidentId}">` : ''}${requestId ? html`<input type="hidden" name="requestId" value="${requestId}">` : ''}`;
}

function incidentSection(ctx: PageContext, view: CaseView, c: IncidentCase, staff: StaffSession): SafeHtml {
  const { t } = ctx;
  const base = `/staff/accounts/${view.account.id}`;
  const admin = staff.role === 'admin';
  return html`<section class="case" aria-labelledby="h-incident-${c.incident.id}" data-incident="${c.incident.id}">
<h2 id="h-incident-${c.incident.id}">${t('staff.kind.incident')} · ${translateOr(ctx.t, `staff.state.${c.state}`, c.state)}</h2>
<p>${t('staff.case.opened', { when: formatDateTime(ctx, c.incident.created_at), by: translateOr(ctx.t, `staff.openedBy.${c.incident.opened_by}`, c.incident.opened_by) })}${
    c.incident.wait_until && c.state === 'waiting'
      ? html` · ${t('staff.case.waitUntil', { when: formatDateTime(ctx, c.incident.wait_until) })}`
      : ''
  }${c.assignedTo ? html` · ${t('staff.case.assigned', { name: c.assignedTo })}` : ''}</p>
<ul class="clocks">${c.clocks.map((clock) => html`<li class="${clock.breached ? 'late' : ''}">${clockText(ctx, clock)}${clock.stoppedAt ? html` (${t('staff.clock.stopped')})` : ''}</li>`)}</ul>
<form method="post" action="${base}/assign" class="inline">${csrfField(ctx)}<input type="hidden" name="kind" value="incident"><input type="hidden" name="id" value="${c.incident.id}">
<label for="f-to-${c.incident.id}">${t('staff.action.assignTo')}</label> <select id="f-to-${c.incident.id}" name="to"><option value="">${t('staff.action.me', { name: staff.name })}</option>${view.team
    .filter((m) => m.id !== staff.staffId)
    .map((m) => html`<option value="${m.id}">${m.name}</option>`)}</select>
<button type="submit" class="secondary">${t('staff.action.assign')}</button></form>
${reporterLine(ctx, c)}${staffProofLine(ctx, c.incident)}
<h3>${t('staff.case.plan')}</h3>
<ul class="plan">${c.steps.map(
    (step) =>
      html`<li>${stepLine(ctx, step)}${stepOutcome(ctx, step)}${answerForStep(ctx, c.shopRequests, step.changeId)}${step.conflict ? html` <strong class="conflict">${t('staff.case.conflict')}</strong>` : ''}${
        admin && step.outcome === 'skipped' && step.action !== 'none' && step.conflict === null
          ? html`<form method="post" action="${base}/incidents/${c.incident.id}/undo" class="inline">${csrfField(ctx)}<input type="hidden" name="changeId" value="${step.changeId}"><button type="submit" class="secondary">${t('staff.action.undoOne')}</button></form>`
          : ''
      }</li>`,
  )}</ul>
${heldOrdersSection(
  ctx,
  heldOrdersFrom(c.shopRequests, c.steps),
  c.state === 'closed' || c.state === 'dismissed'
    ? null
    : { action: (holdId, decision) => `${base}/incidents/${c.incident.id}/orders/${holdId}/${decision}` },
  { lead: 'orders.staffLead', level: 3, id: c.incident.id },
)}
${
  c.objection
    ? html`<h3>${t('staff.case.evidence')}</h3><div class="sides">
<div class="side"><h4>${t('staff.case.ownerSide')}</h4><p>${t('staff.case.ownerEvidence', { email: view.account.email })}</p></div>
<div class="side"><h4>${t('staff.case.otherSide', { email: c.objection.from ?? '-' })}</h4><p>${c.objection.message}</p><p><small>${formatDateTime(ctx, c.objection.at)} · ${c.objection.device} · ${c.objection.ip}</small></p></div></div>`
    : ''
}
${
  admin && c.state === 'disputed'
    ? html`<form method="post" action="${base}/incidents/${c.incident.id}/resolve" novalidate>${csrfField(ctx)}
<fieldset><legend>${t('staff.action.resolve')}</legend>
<label><input type="radio" name="decision" value="owner" required> ${t('staff.action.resolveOwner')}</label>
<label><input type="radio" name="decision" value="other"> ${t('staff.action.resolveOther')}</label></fieldset>
<div class="field"><label for="f-reason-${c.incident.id}">${t('staff.action.reason')}</label><textarea id="f-reason-${c.incident.id}" name="reason" rows="2" maxlength="1000" required></textarea></div>
<button type="submit">${t('staff.action.resolve')}</button></form>`
    : ''
}
${
  c.state === 'waiting'
    ? html`<form method="post" action="${base}/incidents/${c.incident.id}/wait" novalidate>${csrfField(ctx)}
<div class="field"><label for="f-minutes-${c.incident.id}">${t('staff.action.waitMinutes')}</label><input id="f-minutes-${c.incident.id}" name="minutes" type="number" min="0" max="20160" required></div>
<div class="field"><label for="f-wreason-${c.incident.id}">${t('staff.action.reason')}</label><textarea id="f-wreason-${c.incident.id}" name="reason" rows="2" maxlength="1000" required></textarea></div>
<button type="submit">${t('staff.action.changeWait')}</button></form>`
    : ''
}</section>`;
}

/** Says plainly when the report came from an address, session or browser that appeared after the compromise point. */
function reporterLine(ctx: PageContext, c: IncidentCase) {
  const { t } = ctx;
  const reporter = c.reporter;
  const claims = c.claims.map(
    (claim) =>
      html`<li>${t('staff.case.claimed', { email: claim.address ?? '-', when: formatDateTime(ctx, claim.at) })}</li>`,
  );
  if (!reporter || reporter.standing !== 'newcomer') return claims.length > 0 ? html`<ul>${claims}</ul>` : '';
  return html`<div class="warning" role="note" data-testid="newcomer-report"><p><strong>${t('staff.case.newcomerReport', { email: reporter.address ?? '-' })}</strong></p>
<ul>${reporter.reasons.map((reason) => html`<li>${t(`staff.case.reason.${reason}`)}</li>`)}${claims}</ul></div>`;
}

/** Messages to the shops (logout tokens, security events): what, to which shop, each attempt and its answer. */
function shopDeliveriesSection(
  ctx: PageContext,
  id: string,
  title: string,
  lead: string,
  deliveries: ShopDelivery[],
  note: SafeHtml | '' = '',
): SafeHtml {
  const { t } = ctx;
  return html`<section aria-labelledby="${id}"><h2 id="${id}">${title}</h2>
<p class="hint">${lead}</p>${note}${
    deliveries.length === 0
      ? html`<p>${t('staff.case.none')}</p>`
      : html`<table class="cards"><thead><tr><th scope="col">${t('activity.when')}</th><th scope="col">${t('staff.case.shop')}</th><th scope="col">${t('staff.case.what')}</th><th scope="col">${t('staff.case.status')}</th><th scope="col">${t('staff.case.attempts')}</th></tr></thead><tbody>${deliveries.map(
          (d) =>
            html`<tr data-delivery="${d.id}"><td>${formatDateTime(ctx, d.queuedAt)}</td><td>${d.shop}<br><small>${d.endpoint}</small></td><td>${translateOr(ctx.t, `staff.delivery.what.${d.what}`, d.what)}</td><td>${translateOr(ctx.t, `staff.delivery.${d.status}`, d.status)}${d.deliveredAt ? html`<br><small>${formatDateTime(ctx, d.deliveredAt)}</small>` : ''}</td><td>${
              d.attempts.length === 0
                ? t('staff.case.noAttempt')
                : html`<ol>${d.attempts.map((a) => html`<li class="${a.ok ? '' : 'late'}">${formatDateTime(ctx, a.at)} · ${a.answer}</li>`)}</ol>`
            }</td></tr>`,
        )}</tbody></table>`
  }</section>`;
}

function shopSections(ctx: PageContext, view: CaseView): SafeHtml {
  const { t } = ctx;
  const failing = view.failingStreams.map(
    (f) =>
      html`<p class="warning" role="note">${t('staff.case.streamFailing', { shop: f.shop, since: formatDateTime(ctx, f.since) })}</p>`,
  );
  return html`${shopDeliveriesSection(ctx, 'h-shop-sign-outs', t('staff.case.shopSignOuts'), t('staff.case.shopSignOutsLead'), view.shopSignOuts)}
${shopDeliveriesSection(ctx, 'h-security-events', t('staff.case.securityEvents'), t('staff.case.securityEventsLead'), view.securityEvents, html`${failing}`)}`;
}

/** Brought by a shop (issue 26): from where and when, and the imported hash until her first sign-in moves it. */
function importedRows(ctx: PageContext, view: CaseView): SafeHtml {
  const { t } = ctx;
  const imported = view.imported;
  if (!imported) return html``;
  const password =
    imported.hashFormat === null
      ? t(imported.passwordHere ? 'staff.case.imported.migrated' : 'staff.case.imported.passkeyOnly')
      : imported.hashFormat === 'none'
        ? t('staff.case.imported.noHash')
        : t('staff.case.imported.hash', { format: imported.hashFormat });
  return html`<dt>${t('staff.case.imported')}</dt><dd data-testid="case-imported">${imported.shops.map(
    (shop, i) =>
      html`${i > 0 ? html`<br>` : ''}${t('staff.case.imported.from', { date: formatDateTime(ctx, shop.at), shop: shop.name })}`,
  )}<br>${password}</dd>`;
}

export function staffCasePage(
  ctx: PageContext,
  staff: StaffSession,
  view: CaseView,
  state: FormState = {},
  flash?: string,
): string {
  const { t } = ctx;
  const base = `/staff/accounts/${view.account.id}`;
  const openIncident = view.incidents.find((c) => c.state !== 'closed' && c.state !== 'dismissed');
  const openRequests = view.requests.filter((r) => !r.closed_at);
  const defaultRequest = openRequests[0]?.id ?? null;
  return layout(
    ctx,
    t('staff.case.title', { email: view.account.email }),
    html`${notice(flash)}${errorSummary(state)}${
      state.fields?.length
        ? html`<ul class="alert" role="alert">${state.fields.map((f) => html`<li>${translateOr(ctx.t, `staff.field.${f.field}`, f.field)}: ${fieldMessage(ctx, f)}</li>`)}</ul>`
        : ''
    }
<section aria-labelledby="h-account"><h2 id="h-account">${t('staff.case.account')}</h2>
<dl><dt>${t('account.name')}</dt><dd>${view.account.name}</dd><dt>${t('account.email')}</dt><dd data-testid="case-email">${view.account.email}</dd>
<dt>${t('account.phone')}</dt><dd>${view.account.phone ?? '-'}</dd><dt>${t('staff.case.status')}</dt><dd>${translateOr(ctx.t, `staff.accountStatus.${view.account.status}`, view.account.status)}${view.account.passwordDisabled ? html` · ${t('staff.case.passwordOff')}` : ''}</dd>
<dt>${t('staff.team.since')}</dt><dd>${formatDateTime(ctx, view.account.createdAt)}</dd>${importedRows(ctx, view)}</dl>
<p class="hint">${t('staff.case.noPassword')}</p></section>
${view.incidents.map((c) => incidentSection(ctx, view, c, staff))}
${
  openIncident
    ? ''
    : html`<section aria-labelledby="h-contain"><h2 id="h-contain">${t('staff.action.contain')}</h2><p>${t('staff.action.containLead')}</p>
<form method="post" action="${base}/contain" novalidate>${csrfField(ctx)}
<div class="field"><label for="f-change">${t('staff.action.containFrom')}</label><select id="f-change" name="changeId">${view.timeline
        .filter((r) => isCustomerChange(r.kind))
        .slice(0, 50)
        .map(
          (r) =>
            html`<option value="${r.id}">${formatDateTime(ctx, r.occurredAt)} · ${changeTitle(ctx, r.kind)} · ${r.actor.device}</option>`,
        )}</select></div>
<button type="submit">${t('staff.action.contain')}</button></form></section>`
}
<section aria-labelledby="h-requests"><h2 id="h-requests">${t('staff.case.requests')}</h2>${
      view.requests.length === 0
        ? html`<p>${t('staff.case.none')}</p>`
        : html`<ul class="requests">${view.requests.map(
            (r) =>
              html`<li data-request="${r.id}"><strong>${t(`staff.kind.${r.kind === 'callback' ? 'callback' : 'message'}`)}</strong>${
                r.standing === 'newcomer'
                  ? html` <strong class="conflict">${t('staff.case.fromNewcomer')}</strong>`
                  : ''
              } · ${formatDateTime(ctx, r.created_at)}${
                r.kind === 'callback' ? html` · ${r.phone ?? ''} · ${r.preferred_time ?? ''}` : ''
              }${r.body ? html`<br>${r.body}` : ''}${
                r.closed_at
                  ? html` <em>(${t('staff.case.closed')})</em>`
                  : html`
<form method="post" action="${base}/requests/${r.id}/close" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('staff.action.close')}</button></form>`
              }</li>`,
          )}</ul>`
    }</section>
<section aria-labelledby="h-reply"><h2 id="h-reply">${t('staff.action.reply')}</h2>
<form method="post" action="${base}/reply" novalidate>${csrfField(ctx)}${refFields(openIncident?.incident.id ?? null, defaultRequest)}
<div class="field"><label for="f-reply">${t('staff.action.replyLabel')}</label><textarea id="f-reply" name="body" rows="4" maxlength="4000" required></textarea></div>
<button type="submit">${t('staff.action.send')}</button></form></section>
<section aria-labelledby="h-call"><h2 id="h-call">${t('staff.action.logCall')}</h2>
<form method="post" action="${base}/call" novalidate>${csrfField(ctx)}${refFields(openIncident?.incident.id ?? null, openRequests.find((r) => r.kind === 'callback')?.id ?? null)}
<div class="field"><label for="f-outcome">${t('staff.action.outcome')}</label><select id="f-outcome" name="outcome">${CALL_OUTCOMES.map((o) => html`<option value="${o}">${t(`staff.call.${o}`)}</option>`)}</select></div>
<div class="field"><label for="f-duration">${t('staff.action.duration')}</label><input id="f-duration" name="duration" type="number" min="0" max="600" required></div>
<div class="field"><label for="f-notes">${t('staff.action.notes')}</label><textarea id="f-notes" name="notes" rows="3" maxlength="4000" required></textarea></div>
<button type="submit">${t('staff.action.logCall')}</button></form></section>
<section aria-labelledby="h-notes"><h2 id="h-notes">${t('staff.case.notes')}</h2>${
      view.notes.length === 0
        ? html`<p>${t('staff.case.none')}</p>`
        : html`<ul>${view.notes.map(
            (n) =>
              html`<li>${formatDateTime(ctx, n.created_at)} · ${n.staffName} · ${n.kind === 'call' ? html`${t('staff.action.logCall')}: ${translateOr(ctx.t, `staff.call.${n.outcome ?? ''}`, n.outcome ?? '')} (${n.duration_minutes ?? 0} min)` : t('staff.action.reply')}<br>${n.body}</li>`,
          )}</ul>`
    }</section>
<section aria-labelledby="h-timeline"><h2 id="h-timeline">${t('staff.case.timeline')}</h2>${changeTable(ctx, view.timeline, 'staff')}</section>
<section aria-labelledby="h-sessions"><h2 id="h-sessions">${t('staff.case.sessions')}</h2>
<table class="cards"><thead><tr><th scope="col">${t('activity.from')}</th><th scope="col">${t('staff.queue.opened')}</th><th scope="col">${t('staff.case.status')}</th></tr></thead><tbody>${view.sessions.map(
      (s) =>
        html`<tr><td>${s.device_label} · ${s.ip}${s.area ? ` · ${areaName(ctx.locale, t, s.area)}` : ''}</td><td>${formatDateTime(ctx, s.created_at)}</td><td>${s.revoked_at ? `${t('staff.case.ended')} (${s.revoke_reason ?? ''})` : t('staff.case.live')}${s.risk_decision === 'challenge' ? ` · ${t('staff.case.challenged')}` : ''}</td></tr>`,
    )}</tbody></table>
<p>${t('staff.case.devices', { count: view.devices.length })}</p></section>
<section aria-labelledby="h-risk"><h2 id="h-risk">${t('staff.case.risk')}</h2>
<table class="cards"><thead><tr><th scope="col">${t('activity.when')}</th><th scope="col">${t('staff.queue.kind')}</th><th scope="col">${t('staff.case.decision')}</th><th scope="col">${t('activity.from')}</th></tr></thead><tbody>${view.risk.map(
      (r) =>
        html`<tr><td>${formatDateTime(ctx, r.created_at)}</td><td>${r.action}</td><td>${r.decision} (${r.score}): ${(JSON.parse(r.reasons) as { code: string }[]).map((x) => x.code).join(', ') || '-'}</td><td>${r.ip}${r.country ? ` · ${r.country}` : ''}</td></tr>`,
    )}</tbody></table></section>
<section aria-labelledby="h-notices"><h2 id="h-notices">${t('staff.case.notices')}</h2>
<table class="cards"><thead><tr><th scope="col">${t('activity.when')}</th><th scope="col">${t('staff.case.to')}</th><th scope="col">${t('staff.queue.summary')}</th><th scope="col">${t('staff.case.status')}</th></tr></thead><tbody>${view.notices.map(
      (n) =>
        html`<tr><td>${formatDateTime(ctx, n.created_at)}</td><td>${n.recipient}</td><td>${n.subject ?? n.template}</td><td>${n.status}</td></tr>`,
    )}</tbody></table></section>
${shopSections(ctx, view)}`,
    { nav: staffNav(ctx, staff) },
  );
}
