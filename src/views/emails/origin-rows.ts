import type { OriginModel } from '../../core/mail-messages.ts';
import { html, type SafeHtml } from '../html.ts';
import { formatDateTime, type DateStyle, type Translator } from '../i18n/translate.ts';
import { areaName } from '../i18n/area.ts';

/** When, from which device, address and area: the same rows in every notice that has them. */
export function originRows(model: OriginModel, t: Translator, when: DateStyle): [string, string][] {
  const rows: [string, string][] = [
    [t('mail.notice.when'), formatDateTime(when, model.occurredAt)],
    [t('mail.notice.device'), model.device],
    [t('mail.notice.ip'), model.ip],
  ];
  if (model.area) rows.push([t('mail.notice.area'), areaName(when.locale, t, model.area)]);
  return rows;
}

export function rowsText(rows: [string, string][]): string[] {
  return rows.map(([k, v]) => `${k}: ${v}`);
}

export function rowsTable(rows: [string, string][]): SafeHtml {
  return html`<table>${rows.map(([k, v]) => html`<tr><th style="text-align:left;padding-right:1em">${k}</th><td>${v}</td></tr>`)}</table>`;
}
