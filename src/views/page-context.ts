import type { Locale } from '../config.ts';
import type { FieldProblem } from '../core/errors.ts';
import type { Translator } from './i18n/translate.ts';

/** What every page needs to render: language, the CSRF token for its forms, and who is looking. */
export interface PageContext {
  locale: Locale;
  t: Translator;
  csrfToken: string;
  signedIn: boolean;
  shopName: string;
  supportEmail: string;
  supportPhone: string | null;
  /** This page in the other language (its query, and so an emailed link's token, kept). */
  languageSwitchHref: string;
  /** The application clock's now, for countdowns (never the browser's). */
  now: string;
  /** The shop's time zone: every time on a page is shown in it. */
  timeZone: string;
}

/** A form's state when it is shown again: the values to keep and what was wrong. */
export interface FormState {
  values?: Record<string, string>;
  error?: string;
  fields?: FieldProblem[];
}
