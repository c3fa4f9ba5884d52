import { html, type SafeHtml } from '../html.ts';
import type { Translator } from '../i18n/translate.ts';

export interface MailContext {
  shopName: string;
  supportEmail: string;
  /** The shop's time zone: every time in a mail is shown in it. */
  timeZone: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** One frame for every message: the body, then who sent it and how to reach a person. */
export function mailFrame(
  t: Translator,
  ctx: MailContext,
  body: { subject: string; text: string[]; html: SafeHtml },
): RenderedMail {
  const footer = t('mail.footer', { shop: ctx.shopName, email: ctx.supportEmail });
  return {
    subject: body.subject,
    text: [...body.text, '', '--', footer].join('\n'),
    html: html`<!doctype html><html><body style="font-family:sans-serif;line-height:1.6;max-width:36em">
${body.html}
<hr><p style="color:#555;font-size:0.9em">${footer}</p></body></html>`.value,
  };
}

export function button(link: string, label: string): SafeHtml {
  return html`<p><a href="${link}" style="display:inline-block;padding:0.6em 1.2em;background:#1f4e8c;color:#fff;text-decoration:none;border-radius:4px">${label}</a></p>
<p style="font-size:0.9em;color:#555">${link}</p>`;
}

export function paragraphs(text: string): SafeHtml[] {
  return text.split('\n\n').map((p) => html`<p>${p}</p>`);
}
