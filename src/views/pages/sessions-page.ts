import type { SessionListItem } from '../../services/sessions/sessions.ts';
import { html } from '../html.ts';
import { formatDateTime } from '../i18n/translate.ts';
import { csrfField, layout } from '../layout.ts';
import { notice } from '../forms.ts';
import type { PageContext } from '../page-context.ts';
import { areaName } from '../i18n/area.ts';

export function sessionsPage(ctx: PageContext, sessions: SessionListItem[], flash?: string): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('sessions.title'),
    html`${notice(flash)}<p>${t('sessions.lead')}</p>
<table class="sessions"><thead><tr><th scope="col">${t('sessions.device')}</th><th scope="col">${t('sessions.where')}</th><th scope="col">${t('sessions.since')}</th><th scope="col">${t('sessions.lastSeen')}</th><th scope="col"><span class="visually-hidden">${t('sessions.signOutOne')}</span></th></tr></thead>
<tbody>${sessions.map(
      (
        s,
      ) => html`<tr data-session="${s.id}"><td>${s.deviceLabel}${s.current ? html` <strong class="tag">${t('sessions.current')}</strong>` : ''}</td>
<td>${s.ip} (${s.area ? areaName(ctx.locale, t, s.area) : t('sessions.area.unknown')})</td><td>${formatDateTime(ctx, s.createdAt)}</td><td>${formatDateTime(ctx, s.lastSeenAt)}</td>
<td><form method="post" action="/account/sessions/${s.id}/sign-out" class="inline">${csrfField(ctx)}<button type="submit" class="secondary">${t('sessions.signOutOne')}</button></form></td></tr>`,
    )}</tbody></table>
<form method="post" action="/account/sessions/sign-out-everywhere">${csrfField(ctx)}
<p class="hint">${t('sessions.signOutAllHint')}</p>
<button type="submit" class="danger">${t('sessions.signOutAll')}</button></form>`,
  );
}
