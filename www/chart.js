// Line charts for lesson reports: measured series (solid, with points) and model curves (dashed) over a
// numeric x axis, with vertical markers such as the core count. Drawn from the report's numbers only.
import { el, svg } from './dom.js';

const COLORS = ['#1f5fbf', '#2f9e5b', '#d64545', '#e0a030', '#9b6ad6', '#4a9fb0'];

function niceTicks(max, count = 5) {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough);
  const ticks = [];
  for (let v = 0; v <= max + step * 0.5; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

const short = (v) => (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(v % 1000 ? 1 : 0)}k` : String(Number(v.toPrecision(4))));

/** An SVG line chart for a report's `{ title, x_label, y_label, series, markers }`. */
export function renderChart(chart) {
  const W = 640, H = 300, left = 64, right = 16, top = 16, bottom = 46;
  const points = chart.series.flatMap((s) => s.points);
  const xs = points.map(([x]) => x).concat(chart.markers.map((m) => m.x));
  const xMin = Math.min(...xs, Infinity), xMax = Math.max(...xs, -Infinity);
  // Thread counts double from one point to the next: a log scale spaces them evenly.
  const logX = xMin >= 1 && xMax / xMin >= 16;
  const fx = logX ? Math.log2 : (v) => v;
  const [a, b] = [fx(Number.isFinite(xMin) ? xMin : 0), fx(Number.isFinite(xMax) ? xMax : 1)];
  const yTicks = niceTicks(Math.max(...points.map(([, y]) => y), 0));
  const yMax = yTicks.at(-1) || 1;
  const X = (v) => left + ((fx(v) - a) / (b - a || 1)) * (W - left - right);
  const Y = (v) => top + (1 - v / yMax) * (H - top - bottom);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart-svg', role: 'img', 'aria-label': `${chart.title}: ${chart.y_label} against ${chart.x_label}` });
  for (const t of yTicks) {
    root.append(svg('line', { x1: left, x2: W - right, y1: Y(t), y2: Y(t), class: 'grid' }),
      svg('text', { x: left - 6, y: Y(t) + 4, 'text-anchor': 'end', class: 'tick-label' }, short(t)));
  }
  // Ticks where something was measured (model curves may be drawn at every integer).
  const measured = chart.series.filter((s) => s.style !== 'model').flatMap((s) => s.points);
  const xTicks = [...new Set((measured.length ? measured : points).map(([x]) => x))].sort((p, q) => p - q);
  for (const t of xTicks) root.append(svg('text', { x: X(t), y: H - bottom + 16, 'text-anchor': 'middle', class: 'tick-label' }, short(t)));
  root.append(svg('text', { x: (left + W - right) / 2, y: H - 8, 'text-anchor': 'middle', class: 'axis-label' }, chart.x_label + (logX ? ' (log scale)' : '')),
    svg('text', { x: 14, y: (top + H - bottom) / 2, 'text-anchor': 'middle', class: 'axis-label', transform: `rotate(-90 14 ${(top + H - bottom) / 2})` }, chart.y_label));
  for (const m of chart.markers) {
    root.append(svg('line', { x1: X(m.x), x2: X(m.x), y1: top, y2: H - bottom, class: 'marker' }),
      svg('text', { x: X(m.x) + 4, y: top + 12, class: 'marker-label' }, m.label));
  }
  chart.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const d = s.points.map(([x, y], j) => `${j ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
    root.append(svg('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-dasharray': s.style === 'model' ? '6 4' : null }));
    if (s.style !== 'model') for (const [x, y] of s.points) root.append(svg('circle', { cx: X(x), cy: Y(y), r: 3.5, fill: color }, svg('title', {}, `${s.name}: ${short(x)} → ${y.toFixed(1)}`)));
  });
  const key = el('ul', { class: 'legend' }, chart.series.map((s, i) => el('li', {},
    el('span', { class: `swatch${s.style === 'model' ? ' dashed' : ''}`, style: `background:${COLORS[i % COLORS.length]}` }), `${s.name}${s.style === 'model' ? ' (model)' : ''}`)));
  // The same numbers as a table, for screen readers and for reading exact values.
  const data = el('details', { class: 'chart-table' }, el('summary', {}, 'Chart as table'),
    el('table', { class: 'table' },
      el('thead', {}, el('tr', {}, ['Series', chart.x_label, chart.y_label].map((h) => el('th', { scope: 'col', text: h })))),
      el('tbody', {}, chart.series.flatMap((s) => s.points.map(([x, y]) => el('tr', {},
        el('td', { text: s.style === 'model' ? `${s.name} (model)` : s.name }), el('td', { text: short(x) }), el('td', { text: y.toFixed(1) })))))));
  return el('figure', { class: 'chart' }, el('figcaption', { text: chart.title }), root, key, data);
}
