import type { TwoStepStatus } from '../../services/second-factors/totp.ts';
import { html, SafeHtml } from '../html.ts';
import { csrfField, layout } from '../layout.ts';
import { errorSummary, field, notice as noticeBox } from '../forms.ts';
import type { SecondStepMethod } from '../../services/sign-in/second-step.ts';
import { passkeyForm } from './passkey-pages.ts';
import { recoveryCodesSection } from './recovery-codes.ts';
import type { FormState, PageContext } from '../page-context.ts';

/** `qrSvg` is markup produced by the qrcode library from our own otpauth URI, never from user input. */
export function twoStepPage(
  ctx: PageContext,
  status: TwoStepStatus,
  qrSvg: string | null,
  state: FormState = {},
  codes?: string[],
): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('twoStep.title'),
    html`<p>${t('twoStep.lead')}</p>${errorSummary(state)}
${codes ? recoveryCodesSection(ctx, codes) : ''}
<p data-testid="two-step-status">${status.active ? t('twoStep.on', { count: status.unusedRecoveryCodes }) : t('twoStep.off')}</p>
${
  status.pending
    ? html`<p>${t('twoStep.scan')}</p>${qrSvg ? html`<div class="qr">${new SafeHtml(qrSvg)}</div>` : ''}
<p>${t('twoStep.key')}: <code data-testid="totp-secret">${status.pending.secret}</code></p>
<form method="post" action="/account/two-step/confirm" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'code', label: 'twoStep.code', autocomplete: 'one-time-code', required: true, maxlength: 6 }, state)}
<button type="submit">${t('twoStep.confirm')}</button></form>`
    : status.active
      ? html`<form method="post" action="/account/two-step/remove">${csrfField(ctx)}<button type="submit" class="secondary">${t('twoStep.remove')}</button></form>`
      : html`<form method="post" action="/account/two-step/start">${csrfField(ctx)}<button type="submit">${t('twoStep.start')}</button></form>`
}
${
  (status.active || status.passkey) && !status.pending && !codes
    ? html`<section aria-labelledby="h-renew"><h2 id="h-renew">${t('twoStep.codesTitle')}</h2>${status.active ? '' : html`<p>${t('twoStep.codesLeft', { count: status.unusedRecoveryCodes })}</p>`}
<p class="hint">${t('twoStep.renewHint')}</p>
<form method="post" action="/account/two-step/recovery-codes">${csrfField(ctx)}<button type="submit" class="secondary">${t('twoStep.renew')}</button></form></section>`
    : ''
}`,
  );
}

/** The second sign-in step: the account's authenticator, or the code mailed because the sign-in was challenged. */
export function secondStepPage(
  ctx: PageContext,
  step: { method: SecondStepMethod; passkey: boolean; totp: boolean },
  returnTo: string,
  state: FormState = {},
  notice?: string,
): string {
  const { t } = ctx;
  const { method } = step;
  const action = `/sign-in/two-step?returnTo=${encodeURIComponent(returnTo)}`;
  if (method === 'mail-code') {
    return layout(
      ctx,
      t('challenge.title'),
      html`${noticeBox(notice)}<p>${t('challenge.lead')}</p>${errorSummary(state)}<form method="post" action="${action}" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'code', label: 'challenge.code', autocomplete: 'one-time-code', required: true, maxlength: 6 }, state)}
<button type="submit">${t('twoStep.signInSubmit')}</button></form>
<form method="post" action="/sign-in/two-step/resend?returnTo=${encodeURIComponent(returnTo)}">${csrfField(ctx)}<button type="submit" class="secondary">${t('challenge.resend')}</button></form>
<p class="hint">${t('challenge.notYou')}</p>`,
    );
  }
  return layout(
    ctx,
    t('twoStep.signInTitle'),
    html`${errorSummary(state)}${
      step.passkey
        ? html`<p>${t('passkeys.secondStepLead')}</p>${passkeyForm(ctx, { mode: 'second-step', action: `/sign-in/two-step/passkey?returnTo=${encodeURIComponent(returnTo)}`, options: '/sign-in/two-step/passkey/options', submit: 'passkeys.use' })}`
        : ''
    }<p>${t(step.totp ? 'twoStep.signInLead' : 'twoStep.signInLeadRecovery')}</p><form method="post" action="${action}" novalidate>${csrfField(ctx)}
${field(ctx, { name: 'code', label: 'twoStep.signInCode', autocomplete: 'one-time-code', required: true, maxlength: 40 }, state)}
<button type="submit">${t('twoStep.signInSubmit')}</button></form>`,
    { passkeys: step.passkey },
  );
}
