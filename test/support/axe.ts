import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** WCAG 2.1, levels A and AA: the rules the issue asks a shopper's pages to pass. */
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AxeViolation {
  rule: string;
  help: string;
  /** CSS selectors of the offending elements. */
  targets: string[];
}

/**
 * axe-core run on the page as it is now. The CSP forbids a script tag we add, so the library's source
 * goes in by `evaluate` (once per document).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in window);
  if (!loaded) await page.evaluate(axe.source);
  return page.evaluate(async (tags) => {
    const { axe: inPage } = window as unknown as { axe: typeof axe };
    const results = await inPage.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      rule: v.id,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  }, WCAG_21_AA);
}
