import { html, type SafeHtml } from './html.ts';

export interface BarSeries {
  /** One bar per label; null draws no bar (nothing finished that day). */
  points: { label: string; value: number | null }[];
  /** A dashed line across the chart, e.g. the service-level target. */
  target: number | null;
  unit: string;
  title: string;
}

const WIDTH = 640;
const HEIGHT = 180;
const PAD = { left: 48, right: 12, top: 12, bottom: 28 };

/** A small bar chart drawn on the server: no script, readable with CSS off (the title names it). */
export function barChart(series: BarSeries): SafeHtml {
  const values = series.points.map((p) => p.value ?? 0);
  const max = Math.max(1, series.target ?? 0, ...values) * 1.1;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, series.points.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const bars = series.points.map((p, i) => {
    if (p.value === null) return html``;
    const top = y(p.value);
    return html`<rect x="${(PAD.left + i * step + step * 0.15).toFixed(1)}" y="${top.toFixed(1)}" width="${(step * 0.7).toFixed(1)}" height="${(PAD.top + plotH - top).toFixed(1)}" class="bar ${series.target !== null && p.value > series.target ? 'over' : ''}"><title>${p.label}: ${Math.round(p.value)} ${series.unit}</title></rect>`;
  });
  const every = Math.max(1, Math.ceil(series.points.length / 8));
  const labels = series.points.map((p, i) =>
    i % every === 0
      ? html`<text x="${(PAD.left + i * step + step / 2).toFixed(1)}" y="${HEIGHT - 8}" text-anchor="middle" class="axis">${p.label.slice(5)}</text>`
      : html``,
  );
  const target =
    series.target === null
      ? html``
      : html`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(series.target).toFixed(1)}" y2="${y(series.target).toFixed(1)}" class="target"/><text x="${WIDTH - PAD.right}" y="${(y(series.target) - 4).toFixed(1)}" text-anchor="end" class="axis">${Math.round(series.target)} ${series.unit}</text>`;
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${series.title}" xmlns="http://www.w3.org/2000/svg"><title>${series.title}</title>
<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" class="axis-line"/><line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" class="axis-line"/>
<text x="${PAD.left - 6}" y="${PAD.top + 10}" text-anchor="end" class="axis">${Math.round(max)}</text><text x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end" class="axis">0</text>
${bars}${target}${labels}</svg>`;
}
