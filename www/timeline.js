// The timeline: one lane per thread or process, drawn from the run's real events.
import { el, svg, fmt } from './dom.js';

export const STATES = {
  starting: { label: 'starting', color: '#a0a7b0' },
  running: { label: 'running', color: '#2f9e5b' },
  waiting_lock: { label: 'waiting for a lock', color: '#d64545' },
  waiting_gil: { label: 'waiting for the GIL', color: '#f2c94c' },
  sleeping: { label: 'sleeping', color: '#4a7bd0' },
  joining: { label: 'waiting in join()', color: '#e0a030' },
  waiting_message: { label: 'waiting for a message', color: '#9b6ad6' },
  waiting: { label: 'waiting (Event, Condition, Semaphore, queue)', color: '#c77dba' },
  holding: { label: 'running, holding a Semaphore slot', color: '#0f6b3a' },
  io: { label: 'waiting for I/O (a real request)', color: '#3aa6b9' },
};

/** The groups (parts of a lesson) lanes belong to, in order; '' means "always shown". */
export function groupsOf(outcome) {
  const groups = [];
  for (const lane of outcome.lanes) if (lane.group && !groups.includes(lane.group)) groups.push(lane.group);
  return groups;
}

/** Spans [{lane, state, from, to}] for the lanes of `group` (all lanes when there are no groups). */
export function spans(outcome, group) {
  const shown = outcome.lanes.filter((l) => !group || !l.group || l.group === group);
  const inGroup = new Set(outcome.lanes.filter((l) => !group || l.group === group).map((l) => l.id));
  const eventsOf = new Map(shown.map((l) => [l.id, []]));
  for (const e of outcome.events) eventsOf.get(e.lane)?.push(e);
  // The window: from the first to the last event of the group's own lanes.
  let from = Infinity, to = -Infinity;
  for (const e of outcome.events) {
    if (group && !inGroup.has(e.lane)) continue;
    from = Math.min(from, e.t);
    to = Math.max(to, e.t);
  }
  if (!Number.isFinite(from)) { from = outcome.started_at; to = outcome.finished_at; }
  // While a run goes on, lanes that have not finished extend to "now".
  if (outcome.live_until) to = Math.max(to, outcome.live_until);
  const result = [];
  for (const lane of shown) {
    const events = eventsOf.get(lane.id).sort((a, b) => a.t - b.t);
    events.forEach((e, i) => {
      if (e.state === 'finished') return;
      const end = i + 1 < events.length ? events[i + 1].t : to;
      const a = Math.max(e.t, from), b = Math.min(end, to);
      if (b > a || (b === a && lane.group === group)) result.push({ lane, state: e.state, from: a, to: b });
    });
  }
  return { lanes: shown, spans: result, from, to };
}

/** Message arrows drawn at most: a queue flood shows its pattern, the table and the report count all. */
export const MAX_DRAWN_MESSAGES = 400;

/** The messages between shown lanes within the window, each with its two lanes. */
function messagesIn(outcome, lanes, from, to) {
  const byId = new Map(lanes.map((l) => [l.id, l]));
  return (outcome.messages ?? [])
    .filter((m) => byId.has(m.from) && byId.has(m.to) && m.received_at >= from && m.sent_at <= to)
    .map((m) => ({ ...m, fromLane: byId.get(m.from), toLane: byId.get(m.to) }));
}

function describeMessage(m) {
  return `${m.via}: ${fmt.bytes(m.bytes)} from ${m.fromLane.name} to ${m.toLane.name}, ${fmt.ms(m.received_at - m.sent_at)} on the way`;
}

function niceStep(range) {
  const rough = range / 6;
  const pow = 10 ** Math.floor(Math.log10(rough || 1));
  return [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough) ?? 10 * pow;
}

/** Draws the timeline of `group` as an SVG. */
export function renderTimeline(outcome, group) {
  const { lanes, spans: parts, from, to } = spans(outcome, group);
  const W = 1000, labelW = 250, laneH = 22, top = 8, axisH = 26;
  const H = top + lanes.length * laneH + axisH;
  const range = Math.max(to - from, 0.001);
  const x = (t) => labelW + ((t - from) / range) * (W - labelW - 10);
  const row = new Map(lanes.map((l, i) => [l.id, i]));
  const label = `Timeline of ${lanes.length} lanes over ${fmt.ms(range)}`;
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'timeline-svg' });
  lanes.forEach((lane, i) => {
    const y = top + i * laneH;
    if (i % 2 === 0) chart.append(svg('rect', { x: 0, y, width: W, height: laneH, class: 'lane-bg' }));
    const worker = lane.worker === null || lane.worker === undefined ? '' : ` ·w${lane.worker}`;
    chart.append(svg('text', { x: 6, y: y + 15, class: 'lane-label', 'data-lane': lane.id },
      svg('title', {}, lane.worker === null || lane.worker === undefined ? lane.name : `${lane.name} ran on worker ${lane.worker}`),
      `${lane.name}${worker}`));
  });
  for (const p of parts) {
    const y = top + row.get(p.lane.id) * laneH + 4;
    const width = Math.max(x(p.to) - x(p.from), 0.8);
    chart.append(svg('rect', { x: x(p.from), y, width, height: laneH - 8, fill: STATES[p.state]?.color ?? '#888', rx: 2,
      'data-lane': p.lane.id, 'data-state': p.state },
      svg('title', {}, `${p.lane.name}: ${STATES[p.state]?.label ?? p.state} for ${fmt.ms(p.to - p.from)}`)));
  }
  const messages = messagesIn(outcome, lanes, from, to);
  if (messages.length) {
    chart.append(svg('defs', {}, svg('marker', { id: 'message-head', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'message-head' }))));
    const mid = (lane) => top + row.get(lane.id) * laneH + laneH / 2;
    for (const m of messages.slice(0, MAX_DRAWN_MESSAGES)) {
      const x1 = x(Math.max(m.sent_at, from)), x2 = x(Math.min(m.received_at, to));
      chart.append(svg('g', { class: 'message', 'data-from': m.from, 'data-to': m.to, 'data-bytes': m.bytes },
        svg('title', {}, describeMessage(m)),
        svg('circle', { cx: x1, cy: mid(m.fromLane), r: 2.5 }),
        svg('line', { x1, y1: mid(m.fromLane), x2, y2: mid(m.toLane), 'marker-end': 'url(#message-head)' })));
    }
  }
  const step = niceStep(range);
  const axisY = top + lanes.length * laneH + 4;
  chart.append(svg('line', { x1: labelW, x2: W - 10, y1: axisY, y2: axisY, class: 'axis' }));
  for (let t = 0; t <= range + 1e-9; t += step) {
    chart.append(svg('line', { x1: x(from + t), x2: x(from + t), y1: top, y2: axisY + 4, class: 'tick' }));
    chart.append(svg('text', { x: x(from + t), y: axisY + 18, class: 'tick-label', 'text-anchor': 'middle' }, fmt.ms(t)));
  }
  return chart;
}

export function legend(outcome) {
  const items = Object.values(STATES).map((s) => el('li', {}, el('span', { class: 'swatch', style: `background:${s.color}` }), s.label));
  if (outcome?.messages?.length) items.push(el('li', {}, el('span', { class: 'message-swatch', 'aria-hidden': 'true', text: '•→' }), 'a message: pickled, copied from one process to another (its size on hover)'));
  return el('ul', { class: 'legend', 'aria-label': 'Legend' }, items);
}

/** The same timeline as a text table, for screen readers and copying (and its messages, if any). */
export function timelineTable(outcome, group) {
  const { lanes, spans: parts, from, to } = spans(outcome, group);
  const messages = messagesIn(outcome, lanes, from, to);
  const table = el('table', { class: 'table' },
    el('thead', {}, el('tr', {}, el('th', { text: 'Lane' }), el('th', { text: 'State' }), el('th', { text: 'From' }), el('th', { text: 'Duration' }))),
    el('tbody', {}, parts.slice(0, 400).map((p) => el('tr', {},
      el('td', { text: p.lane.name }), el('td', { text: STATES[p.state]?.label ?? p.state }),
      el('td', { text: fmt.ms(p.from - from) }), el('td', { text: fmt.ms(p.to - p.from) })))));
  if (!messages.length) return table;
  return el('div', {}, table, el('table', { class: 'table messages-table', 'aria-label': 'Messages' },
    el('thead', {}, el('tr', {}, ['Via', 'From', 'To', 'Size', 'Sent', 'On the way'].map((h) => el('th', { text: h })))),
    el('tbody', {}, messages.slice(0, 400).map((m) => el('tr', {},
      el('td', { text: m.via }), el('td', { text: m.fromLane.name }), el('td', { text: m.toLane.name }),
      el('td', { text: fmt.bytes(m.bytes) }), el('td', { text: fmt.ms(m.sent_at - from) }),
      el('td', { text: fmt.ms(m.received_at - m.sent_at) }))))));
}
