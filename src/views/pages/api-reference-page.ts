import type { createDocument } from 'zod-openapi';
import { SHOP_ITEM_TYPES, SHOP_UNDO_ACTIONS } from '../../core/shop/shop-changes.ts';
import { eventTypeUri } from '../../core/ssf/security-events.ts';
import { html, type SafeHtml } from '../html.ts';
import { layout } from '../layout.ts';
import type { PageContext } from '../page-context.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The API reference, read from the OpenAPI document itself: each operation, its scope, request and answers. */
export function apiReferencePage(
  ctx: PageContext,
  document: ReturnType<typeof createDocument>,
  issuer: string,
): string {
  const { t } = ctx;
  const operations: SafeHtml[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {}))
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const scopes = (op.security ?? []).flatMap((requirement) => Object.values(requirement).flat());
      const requestBody = op.requestBody && 'content' in op.requestBody ? op.requestBody : undefined;
      const media = requestBody?.content['application/json'];
      const body = media && 'schema' in media ? media.schema : undefined;
      const parameters = (op.parameters ?? []).flatMap((p) => ('name' in p ? [p] : []));
      operations.push(html`<section class="operation" aria-labelledby="op-${method}-${path}">
<h2 id="op-${method}-${path}"><code>${method.toUpperCase()} ${path}</code></h2>
<p>${op.summary ?? ''}</p>${op.description ? html`<p>${op.description}</p>` : ''}
<p>${t('api.scope')}: <code>${scopes.join(' ') || '-'}</code></p>
${parameters.length ? html`<p>${t('api.parameters')}: ${parameters.map((p) => html`<code>${p.name}</code> (${p.in}) `)}</p>` : ''}
${body ? html`<h3>${t('api.request')}</h3><pre>${JSON.stringify(body, null, 2)}</pre>` : ''}
<h3>${t('api.responses')}</h3><ul>${Object.entries(op.responses ?? {}).map(
        ([status, response]) =>
          html`<li><code>${status}</code> ${'description' in response ? String(response.description ?? '') : ''}</li>`,
      )}</ul></section>`);
    }
  return layout(
    ctx,
    t('api.title'),
    html`<p>${t('api.lead')}</p><p><a href="/api/v1/openapi.json">openapi.json</a> · <a href="/.well-known/ssf-configuration">ssf-configuration</a></p>
${operations}
<section aria-labelledby="h-events"><h2 id="h-events">${t('api.events')}</h2><p>${t('api.events.lead')}</p>
<h3><code>${eventTypeUri('undo-requested', issuer)}</code></h3><p>${t('api.events.undo')}</p>
<pre>${JSON.stringify(
      {
        request_id: '…',
        action: SHOP_UNDO_ACTIONS.join(' | '),
        item: { type: SHOP_ITEM_TYPES.join(' | '), id: '1042' },
        answer_endpoint: `${issuer}/api/v1/undo-requests/…`,
        event_timestamp: 1767225600,
      },
      null,
      2,
    )}</pre></section>
<h2>${t('api.schemas')}</h2><pre>${JSON.stringify(document.components ?? {}, null, 2)}</pre>`,
  );
}
