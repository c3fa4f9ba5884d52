import type { Page } from 'playwright-core';
import { axeViolations } from './axe.ts';
import type { LookAt } from './browser-story.ts';
import { sidewaysOverflow } from './layout-checks.ts';

/** Where screenshots go: test-results by default; docs/screenshots when refreshing the committed ones. */
export const SHOTS = process.env.MAMORI_SCREENSHOTS ?? 'test-results';
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };
export const WIDTHS = [
  { name: 'phone', size: PHONE },
  { name: 'desktop', size: DESKTOP },
] as const;
/** English last: the story's helpers go on in English after each look. */
export const LANGUAGES = ['ja', 'en'] as const;

/**
 * Each page in Japanese and English (its own `?lang=` link, as the header's switch makes it), on a phone
 * and a desktop: axe's WCAG 2.1 A/AA rules and nothing wider than the window. What is wrong is collected
 * rather than thrown, so one run names every page that needs fixing.
 */
export function lookingAtEveryPage(findings: string[], pictured: ReadonlySet<string> = new Set()): LookAt {
  return async (page: Page, name: string) => {
    const url = new URL(page.url());
    for (const language of LANGUAGES) {
      url.searchParams.set('lang', language);
      await page.goto(url.href);
      for (const width of WIDTHS) {
        await page.setViewportSize(width.size);
        const where = `${name} (${language}, ${width.size.width}px)`;
        for (const v of await axeViolations(page))
          findings.push(`${where}: ${v.rule}: ${v.help} — ${v.targets.join(' | ')}`);
        for (const wide of await sidewaysOverflow(page)) findings.push(`${where}: ${wide}`);
        if (pictured.has(name))
          await page.screenshot({
            path: `${SHOTS}/walk-${name.replace(/[^a-z]+/g, '-')}-${language}-${width.name}.png`,
            fullPage: true,
          });
      }
    }
  };
}
