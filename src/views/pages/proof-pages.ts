import type { IncidentView } from '../../services/incidents/lifecycle.ts';
import type { ProvenBy } from '../../services/incidents/prove.ts';
import { proofInWords } from '../emails/proof-mails.ts';
import { html } from '../html.ts';
import { formatDateTime } from '../i18n/translate.ts';
import { csrfField } from '../layout.ts';
import { field } from '../forms.ts';
import type { FormState, PageContext } from '../page-context.ts';
import { passkeyForm } from './passkey-pages.ts';

/** Whether the incident page needs the passkey script: only while a passkey could still prove it. */
export function proofNeedsPasskeys(view: IncidentView): boolean {
  return view.proof !== null && view.proof.passkey && canProve(view);
}

function canProve(view: IncidentView): boolean {
  return view.state === 'waiting' || view.state === 'disputed';
}

/**
 * "Prove it's you" on the owner's incident page: a passkey, an authenticator code or a recovery code she
 * held before the intrusion opens recovery at once. An email-only owner is told plainly she waits, and
 * until when. Once proven, which factor did it.
 */
export function proofSection(ctx: PageContext, view: IncidentView, token: string, state: FormState = {}) {
  const { t } = ctx;
  const proof = view.proof;
  if (!proof) return '';
  const heading = html`<h2 id="h-proof">${t('proof.title')}</h2>`;
  if (proof.provenBy)
    return html`<section aria-labelledby="h-proof" data-testid="proof">${heading}<p>${t('proof.done', { proof: proofInWords(t, ctx, proof.provenBy) })}</p></section>`;
  if (!canProve(view)) return '';
  if (!proof.code)
    return view.waitUntil
      ? html`<section aria-labelledby="h-proof" data-testid="proof">${heading}<p>${t('proof.emailOnly', { time: formatDateTime(ctx, view.waitUntil) })}</p></section>`
      : '';
  const withPasskey = proof.passkey
    ? passkeyForm(ctx, {
        mode: 'second-step',
        action: '/incident/prove/passkey',
        options: `/incident/prove/passkey/options?token=${encodeURIComponent(token)}`,
        submit: 'proof.passkey',
        extra: html`<input type="hidden" name="token" value="${token}">`,
      })
    : '';
  return html`<section aria-labelledby="h-proof" data-testid="proof">${heading}<p>${t('proof.lead')}</p>${withPasskey}
<form method="post" action="/incident/prove" novalidate>${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
${field(ctx, { name: 'code', label: 'proof.codeLabel', autocomplete: 'one-time-code', required: true, maxlength: 40 }, state)}
<button type="submit">${t('proof.submit')}</button></form></section>`;
}

/** For staff: which factor the owner proved herself with, since when she held it, and when she proved it. */
export function staffProofLine(ctx: PageContext, incident: { proven_by: string | null }) {
  if (!incident.proven_by) return '';
  const proven = JSON.parse(incident.proven_by) as ProvenBy;
  return html`<p class="proof" data-testid="proven-by"><strong>${ctx.t('staff.case.provenBy', {
    proof: proofInWords(ctx.t, ctx, proven),
    at: formatDateTime(ctx, proven.at),
  })}</strong></p>`;
}

/** The checklist's first item after recovery, while the account has no passkey: one makes next time a minute. */
export function passkeyChecklistItem(ctx: PageContext, offer: boolean) {
  if (!offer) return '';
  return html`<li data-testid="checklist-passkey"><span>${ctx.t('checklist.passkey.lead')}</span><a class="button secondary" href="/account/passkeys">${ctx.t('checklist.passkey.add')}</a></li>`;
}

/** After a proof, recovery can end without a password: signed in here, she registers a new passkey. */
export function finishWithPasskeyForm(ctx: PageContext, token: string) {
  const { t } = ctx;
  return html`<section aria-labelledby="h-passkey-only" data-testid="finish-with-passkey"><h2 id="h-passkey-only">${t('proof.passkeyOnly.title')}</h2><p>${t('proof.passkeyOnly.lead')}</p>
<form method="post" action="/recover/without-password">${csrfField(ctx)}<input type="hidden" name="token" value="${token}">
<button type="submit">${t('proof.passkeyOnly.submit')}</button></form></section>`;
}
