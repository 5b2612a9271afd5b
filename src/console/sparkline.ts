import { html, type SafeHtml } from './html.ts';

const WIDTH = 160; // px
const HEIGHT = 28; // px
const PAD = 2; // px, so the stroke is not clipped at the edges

/**
 * An inline SVG line of the points, oldest left, scaled to the largest; no script, no image
 * request. A single point draws a dot; none draws nothing.
 */
export function sparkline(points: readonly number[], label: string): SafeHtml {
  if (points.length === 0) return html`<span class="muted">no samples yet</span>`;
  const top = Math.max(1, ...points);
  const step = points.length > 1 ? (WIDTH - 2 * PAD) / (points.length - 1) : 0;
  const coords = points.map((value, i) => {
    const x = PAD + i * step;
    const y = HEIGHT - PAD - (Math.max(0, value) / top) * (HEIGHT - 2 * PAD);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const last = coords[coords.length - 1]?.split(',') ?? ['0', '0'];
  const rising = points.length > 1 && (points[points.length - 1] ?? 0) > (points[0] ?? 0);
  return html`<svg class="spark${rising ? ' rising' : ''}" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${label}"><title>${label}</title><polyline points="${coords.join(' ')}"/><circle cx="${last[0]}" cy="${last[1]}" r="2.5"/></svg>`;
}
