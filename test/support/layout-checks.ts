import type { Locator, Page } from 'playwright-core';

/**
 * What sticks out sideways: the document wider than the window, and each element whose right edge is past
 * it (inside a scrolling box too, which the document's width alone would not show). Empty when it fits.
 */
export async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    const found: string[] = [];
    const { scrollWidth } = document.documentElement;
    if (scrollWidth > width) found.push(`the document is ${scrollWidth}px wide in a ${width}px window`);
    for (const element of document.body.querySelectorAll('*')) {
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 0.5) continue;
      const name = `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${
        element.classList.length > 0 ? `.${[...element.classList].join('.')}` : ''
      }`;
      found.push(`${name} reaches ${Math.round(box.right)}px in a ${width}px window`);
    }
    return found;
  });
}

/** How far down the element's bottom edge is, the page scrolled to its top: within the first screen when ≤ its height. */
export async function bottomOnFirstScreen(page: Page, element: Locator): Promise<number> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = await element.boundingBox();
  if (!box) throw new Error('the element is not shown');
  return box.y + box.height;
}

/**
 * Cells of the matching tables narrower than 90% of their table: on a phone, a table squeezed into thin
 * columns rather than read as cards, one cell under the other.
 */
export async function squeezedCells(page: Page, tables: string): Promise<number> {
  return page.evaluate((selector) => {
    let squeezed = 0;
    for (const table of document.querySelectorAll(selector)) {
      const width = table.getBoundingClientRect().width;
      for (const cell of table.querySelectorAll('td')) if (cell.getBoundingClientRect().width < width * 0.9) squeezed++;
    }
    return squeezed;
  }, tables);
}
