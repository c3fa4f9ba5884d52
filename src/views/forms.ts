import type { FieldProblem } from '../core/errors.ts';
import { PASSWORD_MAX, PASSWORD_MIN_SINGLE_FACTOR } from '../core/password-policy.ts';
import { html, type SafeHtml } from './html.ts';
import { isMessageKey, type MessageKey } from './i18n/translate.ts';
import type { FormState, PageContext } from './page-context.ts';

export interface FieldSpec {
  name: string;
  label: MessageKey;
  type?: 'text' | 'email' | 'password' | 'tel' | 'number';
  autocomplete?: string;
  required?: boolean;
  hint?: string;
  maxlength?: number;
  value?: string;
  /** For a name used by two forms on one page: each field needs an id of its own for its label. */
  idPrefix?: string;
}

export function fieldMessage(ctx: PageContext, problem: FieldProblem): string {
  const key = `field.${problem.code}`;
  if (isMessageKey(key)) return ctx.t(key);
  const errorKey = `error.${problem.code}`;
  if (isMessageKey(errorKey))
    return ctx.t(errorKey, { min: problem.min ?? PASSWORD_MIN_SINGLE_FACTOR, max: PASSWORD_MAX });
  return ctx.t('field.invalid_format');
}

/** A labelled input; its error is tied to it with aria-describedby so screen readers announce it. */
export function field(ctx: PageContext, spec: FieldSpec, state: FormState = {}): SafeHtml {
  const id = spec.idPrefix ? `f-${spec.idPrefix}-${spec.name}` : `f-${spec.name}`;
  const problem = state.fields?.find((f) => f.field === spec.name);
  const value = spec.type === 'password' ? '' : (spec.value ?? state.values?.[spec.name] ?? '');
  const describedBy = [spec.hint ? `${id}-hint` : '', problem ? `${id}-error` : ''].filter(Boolean).join(' ');
  const marker = spec.required ? ctx.t('common.required') : ctx.t('common.optional');
  return html`<div class="field${problem ? ' invalid' : ''}">
<label for="${id}">${ctx.t(spec.label)} <span class="marker">${marker}</span></label>
${spec.hint ? html`<p class="hint" id="${id}-hint">${spec.hint}</p>` : ''}
${problem ? html`<p class="error" id="${id}-error">${fieldMessage(ctx, problem)}</p>` : ''}
<input id="${id}" name="${spec.name}" type="${spec.type ?? 'text'}" value="${value}"${spec.autocomplete ? html` autocomplete="${spec.autocomplete}"` : ''}${spec.required ? html` required` : ''}${spec.maxlength ? html` maxlength="${spec.maxlength}"` : ''}${describedBy ? html` aria-describedby="${describedBy}"` : ''}${problem ? html` aria-invalid="true"` : ''}>
${spec.type === 'password' ? html`<label class="show-password"><input type="checkbox" data-show-password="${id}"> ${ctx.t('common.showPassword')}</label>` : ''}
</div>`;
}

export function errorSummary(state: FormState): SafeHtml {
  return state.error ? html`<div class="alert" role="alert"><p>${state.error}</p></div>` : html``;
}

export function notice(text: string | undefined): SafeHtml {
  return text ? html`<div class="notice" role="status"><p>${text}</p></div>` : html``;
}
