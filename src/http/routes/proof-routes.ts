import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServiceDeps } from '../../services/deps.ts';
import { completeRecovery, recoveryRequirements, viewIncident } from '../../services/incidents/lifecycle.ts';
import { proofPasskeyOptions, proveOwnership } from '../../services/incidents/prove.ts';
import { incidentPage, recoverPage } from '../../views/pages/incident-pages.ts';
import type { FormState, PageContext } from '../../views/page-context.ts';
import { parseForm } from '../form-input.ts';
import { formHandler } from '../form-route.ts';
import { authenticationCredential } from '../passkey-input.ts';
import { ensureDeviceCookie, linkToken, requestOrigin, setSessionCookie } from '../request-context.ts';

const token = z.string({ error: 'required' }).max(100, 'too_long');
const codeForm = z.object({
  token,
  code: z.string({ error: 'required' }).trim().min(1, 'required').max(40, 'too_long'),
});
const passkeyForm = z.object({ token, credential: z.string().max(40_000) });

/** The recovery link's own path: the browser goes on to set a password (or a passkey) at once. */
const recoveryPath = (link: string) => {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
};

/**
 * "Prove it's you" on the owner's incident page (issue 27). Only POSTs act; a refused proof shows the
 * incident page again with the reason, and counts against the sign-in throttles.
 */
export function proofRoutes(deps: ServiceDeps) {
  const { config } = deps;
  const limited = { config: { rateLimit: { max: config.signInLimitPerMinute, timeWindow: 60_000 } } };
  const again = async (ctx: PageContext, state: FormState, request: FastifyRequest) =>
    incidentPage(ctx, await viewIncident(deps, linkToken(request)), linkToken(request), undefined, state);
  const recoveryAgain = async (ctx: PageContext, state: FormState, request: FastifyRequest) =>
    recoverPage(ctx, linkToken(request), await recoveryRequirements(deps, linkToken(request)), state);
  return async function proofRoutesPlugin(app: FastifyInstance) {
    // After a proof: the account opens without a password, this browser is signed in, a new passkey is next.
    app.post(
      '/recover/without-password',
      limited,
      formHandler(config, recoveryAgain, async (request, reply) => {
        const input = parseForm(z.object({ token }), request.body);
        ensureDeviceCookie(request, reply, config, deps.random.token);
        const { sessionToken } = await completeRecovery(
          deps,
          input.token,
          { newPassword: null, proof: null },
          requestOrigin(request),
        );
        if (sessionToken) setSessionCookie(reply, config, sessionToken);
        return reply.redirect('/account/passkeys', 303);
      }),
    );
    app.post(
      '/incident/prove',
      limited,
      formHandler(config, again, async (request, reply) => {
        const input = parseForm(codeForm, request.body);
        const opened = await proveOwnership(deps, input.token, { code: input.code }, requestOrigin(request));
        return reply.redirect(recoveryPath(opened.recoveryLink), 303);
      }),
    );
    app.post('/incident/prove/passkey/options', limited, async (request, reply) =>
      reply.send(await proofPasskeyOptions(deps, linkToken(request))),
    );
    app.post(
      '/incident/prove/passkey',
      limited,
      formHandler(
        config,
        again,
        async (request, reply) => {
          const input = parseForm(passkeyForm, request.body);
          const proof = { passkey: authenticationCredential(input.credential) };
          const opened = await proveOwnership(deps, input.token, proof, requestOrigin(request));
          return reply.redirect(recoveryPath(opened.recoveryLink), 303);
        },
        ['credential'],
      ),
    );
  };
}
