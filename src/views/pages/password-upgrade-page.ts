import { PASSWORD_MIN_SINGLE_FACTOR } from '../../core/password-policy.ts';
import type { PasswordUpgrade } from '../../core/password-upgrade.ts';
import { errorSummary, field } from '../forms.ts';
import { html } from '../html.ts';
import { csrfField, layout } from '../layout.ts';
import type { FormState, PageContext } from '../page-context.ts';
import { passkeysPageGoingOnTo } from './passkey-pages.ts';

/**
 * The page after signing in with an imported password below the policy (issue 26): a longer one, or a
 * passkey, or "later"; when the password is on the common list, only a new one.
 */
export function passwordUpgradePage(
  ctx: PageContext,
  upgrade: PasswordUpgrade,
  returnTo: string,
  state: FormState = {},
): string {
  const { t } = ctx;
  const required = upgrade === 'required';
  const back = html`<input type="hidden" name="returnTo" value="${returnTo}">`;
  const choose = html`<form method="post" action="/password-upgrade" novalidate>${csrfField(ctx)}${back}
${field(ctx, { name: 'password', label: 'upgrade.password', type: 'password', autocomplete: 'new-password', required: true, hint: t('register.passwordHint') }, state)}
<button type="submit">${t('upgrade.submit')}</button>
</form>`;
  const otherWays = required
    ? html``
    : html`<p><a href="${passkeysPageGoingOnTo(returnTo)}">${t('upgrade.passkey')}</a></p>
<form method="post" action="/password-upgrade/later">${csrfField(ctx)}${back}<button type="submit" class="secondary">${t('upgrade.later')}</button></form>`;
  return layout(
    ctx,
    t(required ? 'upgrade.required.title' : 'upgrade.suggested.title'),
    html`<p>${t(required ? 'upgrade.required.body' : 'upgrade.suggested.body', { min: PASSWORD_MIN_SINGLE_FACTOR })}</p>
${errorSummary(state)}${choose}${otherWays}`,
  );
}
