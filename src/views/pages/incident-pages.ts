import type { ChangeRecord } from '../../core/change-kinds.ts';
import { isShopAction, type UndoStep } from '../../core/incident/undo-plan.ts';
import type { AppliedStep } from '../../services/incidents/apply-undo.ts';
import type { IncidentView } from '../../services/incidents/lifecycle.ts';
import { html } from '../html.ts';
import type { MessageKey } from '../i18n/en.ts';
import { formatDateTime, formatDuration } from '../i18n/translate.ts';
import { csrfField, layout } from '../layout.ts';
import { errorSummary, field, notice } from '../forms.ts';
import type { FormState, PageContext } from '../page-context.ts';
import { beforeAfter, changeTable, changeTitle } from './change-view.ts';
import { passkeyForm } from './passkey-pages.ts';
import { finishWithPasskeyForm, proofNeedsPasskeys, proofSection } from './proof-pages.ts';
import { answerForStep } from './shop-answers.ts';
import { heldOrdersSection, type DecisionForms } from './held-orders.ts';
import { areaName } from '../i18n/area.ts';

/** One step of the plan; `planned` speaks of what will happen (the report page, before anything is done). */
export function stepLine(ctx: PageContext, step: UndoStep, planned = false) {
  return html`<strong>${changeTitle(ctx, step.kind)}</strong> · ${formatDateTime(ctx, step.occurredAt)}<br><small>${beforeAfter(ctx, step.kind, step.before, step.after)}</small>${
    step.note ? html`<br><small>${ctx.t(planned ? `undo.will.${step.note}` : `undo.${step.note}`)}</small>` : ''
  }${planned && isShopAction(step.action) ? html`<br><small>${ctx.t(`undo.will.${step.action}`)}</small>` : ''}`;
}

/** A report link containment spent, held by the owner: the way back to the incident. */
export function protectedAlreadyPage(ctx: PageContext, token: string): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('incident.title'),
    html`<p>${t('report.alreadyOpen')}</p><form method="post" action="/report/incident">${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
<button type="submit">${t('report.openIncident')}</button></form>`,
  );
}

/**
 * GET of "This wasn't me": on a phone's first screen what happened in a line or two and the button; the
 * full change, what containment does and the plan (each step can be unticked) below, in the same form.
 */
export function reportPage(
  ctx: PageContext,
  view: { change: ChangeRecord; steps: UndoStep[] },
  token: string,
  waitMs: number,
  state: FormState = {},
): string {
  const { t } = ctx;
  const c = view.change;
  return layout(
    ctx,
    t('report.title'),
    html`${errorSummary(state)}<form method="post" action="/report" class="report">${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
<p class="what-happened"><strong>${changeTitle(ctx, c.kind)}</strong> · ${formatDateTime(ctx, c.occurredAt)}<br><small>${beforeAfter(ctx, c.kind, c.before, c.after)}</small></p>
<p>${t('report.lead')}</p>
<button type="submit" class="danger">${t('report.submit')}</button>
<p class="hint">${t('report.detailsBelow')}</p>
<section aria-labelledby="h-what"><h2 id="h-what">${t('report.whatHappened')}</h2>
<dl class="change"><dt>${changeTitle(ctx, c.kind)}</dt><dd>${beforeAfter(ctx, c.kind, c.before, c.after)}</dd>
<dt>${t('mail.notice.when')}</dt><dd>${formatDateTime(ctx, c.occurredAt)}</dd>
<dt>${t('mail.notice.device')}</dt><dd>${c.actor.device} · ${c.actor.ip}${c.actor.area ? ` · ${areaName(ctx.locale, t, c.actor.area)}` : ''}</dd></dl></section>
<section aria-labelledby="h-do"><h2 id="h-do">${t('report.willDo')}</h2>
<ul><li>${t('report.contain.lock')}</li><li>${t('report.contain.password')}</li><li>${t('report.contain.links')}</li></ul>
<fieldset><legend>${view.steps.length > 0 ? t('report.undo') : t('report.undoNone')}</legend>
<ul class="plan">${view.steps.map((step) =>
      step.action === 'none'
        ? html`<li>${stepLine(ctx, step, true)}</li>`
        : html`<li class="${step.conflict ? 'conflict' : ''}"><label><input type="checkbox" name="undo" value="${step.changeId}"${step.selected ? html` checked` : ''}${step.conflict ? html` disabled` : ''}> ${stepLine(ctx, step, true)}</label>${
            step.conflict ? html`<p class="warning">${t('report.conflict')}</p>` : ''
          }</li>`,
    )}</ul></fieldset>
<p>${t('report.wait', { wait: formatDuration(t, waitMs) })}</p></section></form>`,
  );
}

export function stepOutcome(ctx: PageContext, step: AppliedStep) {
  return step.action === 'none' ? '' : html` — <em>${ctx.t(`undo.outcome.${step.outcome}`)}</em>`;
}

function stateLine(ctx: PageContext, view: IncidentView) {
  const text =
    view.state === 'disputed' && view.reportedByNewcomer
      ? ctx.t('incident.review')
      : ctx.t(`incident.state.${view.state}`);
  return html`<p class="state state-${view.state}" data-testid="incident-state">${text}</p>`;
}

/** "あと2分", "あと5時間", "あと4時間58分": no zero part is said. */
function remainingKey(hours: number, minutes: number): MessageKey {
  if (hours === 0) return 'incident.remainingMinutes';
  return minutes === 0 ? 'incident.remainingHours' : 'incident.remaining';
}

function countdown(ctx: PageContext, view: IncidentView) {
  if (view.state !== 'waiting' || !view.waitUntil) return '';
  const remaining = Math.max(0, Date.parse(view.waitUntil) - Date.parse(ctx.now));
  // Rounded up, like the script that keeps counting: "5 h" until a whole minute has passed.
  const totalMinutes = Math.ceil(remaining / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  const { t } = ctx;
  const format = (key: MessageKey) => t(key, { hours: '{h}', minutes: '{m}' });
  const opensAt = formatDateTime(ctx, view.waitUntil);
  const mailTo = view.recoveryMailTo
    ? html`<p>${t('incident.recoveryMail', { address: view.recoveryMailTo, time: opensAt })}</p>`
    : '';
  return html`${mailTo}<p>${t('incident.whyWait')}</p><p class="countdown">${t('incident.opensAt', { time: opensAt })}
<strong><span data-countdown-until="${view.waitUntil}" data-countdown-now="${ctx.now}" data-countdown-format="${format('incident.remaining')}" data-countdown-format-hours="${format('incident.remainingHours')}" data-countdown-format-minutes="${format('incident.remainingMinutes')}">${t(remainingKey(hours, minutes), { hours, minutes })}</span></strong></p>`;
}

/** On an incident a newcomer reported, the owner says the account is theirs. */
function claimSection(ctx: PageContext, view: IncidentView, token: string) {
  if (view.standing !== 'owner' || !view.reportedByNewcomer || view.state !== 'disputed') return '';
  const { t } = ctx;
  return html`<section aria-labelledby="h-claim"><h2 id="h-claim">${t('incident.claim.title')}</h2>${
    view.claimedAt
      ? html`<p>${t('incident.claimed', { time: formatDateTime(ctx, view.claimedAt) })}</p>`
      : html`<p>${t('incident.claim.lead')}</p><form method="post" action="/incident/claim">${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
<button type="submit">${t('incident.claim.submit')}</button></form>`
  }</section>`;
}

/** Writing to a person: its own section, answered by mail. */
function messageSection(ctx: PageContext, token: string) {
  const { t } = ctx;
  return html`<section aria-labelledby="h-write"><h2 id="h-write">${t('incident.write.title')}</h2><p>${t('incident.write.lead')}</p>
<form method="post" action="/incident/message" novalidate>${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
<div class="field"><label for="f-message">${t('incident.message')}</label><textarea id="f-message" name="message" rows="4" maxlength="4000" required></textarea></div>
<button type="submit">${t('incident.sendMessage')}</button></form></section>`;
}

/** Asking to be called: a section of its own, apart from the message, so neither form is mistaken for the other. */
function callbackSection(ctx: PageContext, token: string, state: FormState) {
  const { t } = ctx;
  return html`<section aria-labelledby="h-call"><h2 id="h-call">${t('incident.call.title')}</h2><p>${t('incident.call.lead')}</p>
<form method="post" action="/incident/callback" novalidate>${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
${field(ctx, { name: 'phone', label: 'incident.callbackPhone', type: 'tel', autocomplete: 'tel', required: true, maxlength: 30 }, state)}
${field(ctx, { name: 'preferredTime', label: 'incident.callbackTime', required: true, maxlength: 100 }, state)}
<button type="submit">${t('incident.requestCallback')}</button></form></section>`;
}

/** What she asked for and what a person answered, once there is any. */
function conversation(ctx: PageContext, view: IncidentView) {
  const { t } = ctx;
  const requests =
    view.requests.length > 0
      ? html`<h3>${t('incident.requests')}</h3><ul>${view.requests.map(
          (r) =>
            html`<li>${formatDateTime(ctx, r.created_at)} — ${
              r.kind === 'callback'
                ? t('incident.request.callback', { phone: r.phone ?? '', time: r.preferred_time ?? '' })
                : t('incident.request.message')
            }${r.body ? html`<br><q>${r.body}</q>` : ''}</li>`,
        )}</ul>`
      : '';
  const replies =
    view.replies.length > 0
      ? html`<h3>${t('incident.replies')}</h3><ul class="replies" data-testid="support-replies">${view.replies.map(
          (r) => html`<li>${formatDateTime(ctx, r.at)}<br>${r.body}</li>`,
        )}</ul>`
      : '';
  if (!requests && !replies) return '';
  return html`<section aria-labelledby="h-conversation"><h2 id="h-conversation">${t('incident.conversation')}</h2>${requests}${replies}</section>`;
}

/** The owner decides each held order while the case is open; the forms carry her link's token. */
function orderForms(view: IncidentView, token: string): DecisionForms | null {
  if (view.state === 'closed' || view.state === 'dismissed') return null;
  return {
    action: (holdId, decision) => `/incident/orders/${holdId}/${decision}`,
    hidden: html`<input type="hidden" name="token" value="${token}">`,
  };
}

/**
 * The incident page, as the party holding the link may see it: the owner sees what was undone, the
 * timeline, a person to talk to and, when a newcomer reported, a way to claim the account; a newcomer
 * sees only that a person is on it, and may write to them.
 */
export function incidentPage(
  ctx: PageContext,
  view: IncidentView,
  token: string,
  flash?: string,
  state: FormState = {},
): string {
  const { t } = ctx;
  if (view.standing === 'newcomer') {
    return layout(
      ctx,
      t('incident.title'),
      html`${notice(flash)}${stateLine(ctx, view)}<p>${t('incident.newcomer.lead')}</p>${errorSummary(state)}${messageSection(ctx, token)}${conversation(ctx, view)}`,
    );
  }
  return layout(
    ctx,
    t('incident.title'),
    html`${notice(flash)}${stateLine(ctx, view)}${countdown(ctx, view)}${errorSummary(state)}${proofSection(ctx, view, token, state)}${claimSection(ctx, view, token)}
${heldOrdersSection(ctx, view.heldOrders, orderForms(view, token))}
<section aria-labelledby="h-undone"><h2 id="h-undone">${t('incident.undone')}</h2>
<ul class="plan">${view.steps.map(
      (step) =>
        html`<li>${stepLine(ctx, step)}${stepOutcome(ctx, step)}${answerForStep(ctx, view.shopRequests, step.changeId)}</li>`,
    )}</ul></section>
${messageSection(ctx, token)}
${callbackSection(ctx, token, state)}
${conversation(ctx, view)}
<section aria-labelledby="h-timeline"><h2 id="h-timeline">${t('incident.timeline')}</h2>${changeTable(ctx, [...view.timeline].reverse())}</section>`,
    { passkeys: proofNeedsPasskeys(view) },
  );
}

export function objectPage(ctx: PageContext, token: string, state: FormState = {}): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('object.title'),
    html`<p>${t('object.lead')}</p>${errorSummary(state)}<form method="post" action="/object" novalidate>${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
<div class="field"><label for="f-message">${t('object.message')}</label><textarea id="f-message" name="message" rows="5" maxlength="4000" required></textarea></div>
<button type="submit">${t('object.submit')}</button></form>`,
  );
}

/**
 * Recovery: a new password, and for an account that had a second factor before the intrusion, a code
 * or one of the passkeys it had then (the passkey button carries the password typed above).
 */
export function recoverPage(
  ctx: PageContext,
  token: string,
  needs: { secondFactor: boolean; passkey: boolean; proven?: boolean },
  state: FormState = {},
): string {
  const { t } = ctx;
  const withPasskey = needs.passkey
    ? html`<p>${t('recover.passkeyHint')}</p>${passkeyForm(ctx, {
        mode: 'second-step',
        action: '/recover/passkey',
        options: `/recover/passkey/options?token=${encodeURIComponent(token)}`,
        submit: 'recover.passkey',
        extra: html`<input type="hidden" name="token" value="${token}"><input type="hidden" name="password" value="" data-carry>`,
      })}`
    : '';
  return layout(
    ctx,
    t('recover.title'),
    html`<p>${t('recover.lead')}</p>${errorSummary(state)}<form method="post" action="/recover" novalidate>${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
${needs.secondFactor ? html`<p>${t('error.SECOND_FACTOR_REQUIRED')}</p>${field(ctx, { name: 'code', label: 'recover.codeLabel', autocomplete: 'one-time-code', required: true, maxlength: 40 }, state)}` : ''}
${field(ctx, { name: 'password', label: 'reset.password', type: 'password', autocomplete: 'new-password', required: true, hint: t('register.passwordHint') }, state)}
<button type="submit">${t('recover.submit')}</button></form>${withPasskey}${needs.proven ? finishWithPasskeyForm(ctx, token) : ''}`,
    { passkeys: needs.passkey },
  );
}

export function activityPage(ctx: PageContext, records: readonly ChangeRecord[]): string {
  return layout(ctx, ctx.t('activity.title'), html`<p>${ctx.t('activity.lead')}</p>${changeTable(ctx, records)}`);
}
