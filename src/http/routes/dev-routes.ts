import type { FastifyInstance } from 'fastify';
import { DomainError } from '../../core/errors.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { findDevMailboxMessage, listDevMailbox } from '../../services/notices/dev-mailbox.ts';
import { mailboxPage, mailPage } from '../../views/pages/mailbox-page.ts';
import { pageContext, sendHtml } from '../request-context.ts';

/** Registered only in development mode: the local mailbox of the embedded default. */
export function devRoutes(deps: ServiceDeps) {
  return async function devRoutesPlugin(app: FastifyInstance) {
    app.get('/dev/mailbox', async (request, reply) =>
      sendHtml(reply, 200, mailboxPage(pageContext(request, reply, deps.config), await listDevMailbox(deps, 200))),
    );
    app.get('/dev/mailbox/:id', async (request, reply) => {
      const id = (request.params as { id?: string }).id ?? '';
      const mail = /^[0-9a-f-]{36}$/.test(id) ? await findDevMailboxMessage(deps, id) : undefined;
      if (!mail) throw new DomainError('NOT_FOUND');
      return sendHtml(reply, 200, mailPage(pageContext(request, reply, deps.config), mail));
    });
  };
}
