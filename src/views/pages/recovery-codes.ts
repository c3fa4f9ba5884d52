import { html, type SafeHtml } from '../html.ts';
import type { PageContext } from '../page-context.ts';

/** A new set of recovery codes, shown once: after the first second factor, or when the owner renews them. */
export function recoveryCodesSection(ctx: PageContext, codes: readonly string[]): SafeHtml {
  return html`<section class="checklist" aria-labelledby="h-codes"><h2 id="h-codes">${ctx.t('twoStep.codesTitle')}</h2><p>${ctx.t('twoStep.codesLead')}</p>
<ul class="codes" data-testid="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul></section>`;
}
