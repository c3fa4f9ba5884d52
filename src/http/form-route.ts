import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { isDomainError } from '../core/errors.ts';
import { messageValues, statusFor } from './error-mapping.ts';
import { keptValues } from './form-input.ts';
import { pageContext, sendHtml } from './request-context.ts';
import type { FormState, PageContext } from '../views/page-context.ts';
import type { MessageKey } from '../views/i18n/translate.ts';

type RenderForm = (
  ctx: PageContext,
  state: FormState,
  request: FastifyRequest,
  reply: FastifyReply,
) => string | Promise<string>;

/**
 * Runs a form handler; when it fails with a domain error the same form is shown again with the
 * person's values (never passwords), the translated reason, and the status of that error.
 */
export function formHandler(
  config: Readonly<Config>,
  render: RenderForm,
  handle: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | string | void>,
  secretFields: string[] = ['password', 'currentPassword', 'newPassword'],
) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return await handle(request, reply);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      if (error.code === 'REAUTH_REQUIRED' || error.code === 'UNAUTHENTICATED') throw error;
      const ctx = pageContext(request, reply, config);
      const state: FormState = {
        values: keptValues(request.body, secretFields),
        error: ctx.t(`error.${error.code}` as MessageKey, messageValues(error)),
        fields: error.details.fields,
      };
      return sendHtml(reply, statusFor(error.code), await render(ctx, state, request, reply));
    }
  };
}
