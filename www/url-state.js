// The page's state in its URL, so that a link reproduces what its sender saw:
//   ?lesson=counter&threads=4&increments=1000000&view=threads[&embed=1&origins=https://a.example]
// `lesson` picks the lesson, every other known key is one of its parameters, `view` is the part of the
// timeline shown after a run, `embed=1` is the compact mode for iframes and `origins` the pages allowed to
// control an embed (see embed-mode.js). Nothing read here is ever put into the page as markup. This module
// reads the link's shape (its size, the lesson, the reserved keys); the parameters' values go to the engine,
// which checks names, whole numbers and ranges (app.js, checkUrlParams). Whatever cannot be used falls back
// to the default with a notice that quotes at most a short, plain-text piece of it.

/** @typedef {import('./types/generated/LessonInfo').LessonInfo} LessonInfo */

/** Longer query strings are not read at all (a real link is a few hundred characters; the engine reports
 *  a single long value by itself). */
export const MAX_QUERY_LENGTH = 12_000;
/** Keys with a meaning of their own; other keys must be parameters of the lesson. */
export const RESERVED_KEYS = new Set(['lesson', 'embed', 'origins', 'view', 'exercise', 'challenge', 'challenge_url', 'debug', 'code']);

const LESSON_ID = /^[a-z0-9-]{1,64}$/;
const VIEW = /^[\w .,:()-]{1,60}$/;

/** A short, single-line quote of untrusted text for a notice (shown as text, never as markup). */
export function quote(text, max = 40, more = '…') {
  const flat = String(text).replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}${more}` : flat;
}

/** Whether the page was opened as an embed; cheap, so the layout can switch before the engine starts. */
export function isEmbed(search = location.search) {
  return search.length <= MAX_QUERY_LENGTH && new URLSearchParams(search).get('embed') === '1';
}

/**
 * Reads the state from a query string.
 * @param {string} search  e.g. location.search
 * @param {LessonInfo[]} lessons
 * @param {LessonInfo} fallback  the lesson to open when the link names none, or one that does not exist
 * @returns {{ lesson: LessonInfo, params: Record<string, any>, view: string|null, embed: boolean, origins: string[], notices: string[] }}
 */
export function parseState(search, lessons, fallback) {
  const notices = [];
  // No prototype: a key such as "__proto__" stays an unknown key, never a prototype.
  const state = { lesson: fallback, params: Object.create(null), view: null, embed: false, origins: [], notices };
  if (search.length > MAX_QUERY_LENGTH) {
    notices.push(`This link is too long to read (${search.length} characters; at most ${MAX_QUERY_LENGTH}), so the playground opened with its defaults.`);
    return state;
  }
  let query;
  try {
    query = new URLSearchParams(search);
  } catch {
    notices.push('This link could not be read, so the playground opened with its defaults.');
    return state;
  }
  state.embed = query.get('embed') === '1';
  state.origins = parseOrigins(query.get('origins'), notices);
  const wanted = query.get('lesson');
  if (wanted !== null) {
    const lesson = LESSON_ID.test(wanted) ? lessons.find((l) => l.id === wanted) : undefined;
    if (lesson) state.lesson = lesson;
    else {
      notices.push(`There is no lesson "${quote(wanted, 40, '')}"; showing "${fallback.title}" with its defaults.`);
      return state;
    }
  }
  // Every other key goes to the engine as it is: it reports unknown names, values that are not whole
  // numbers or not among a drop-down's choices, and values out of range (app.js shows its notices).
  for (const [key, value] of query) {
    if (!RESERVED_KEYS.has(key) && !(key in state.params)) state.params[key] = value;
  }
  const view = query.get('view');
  if (view !== null) {
    if (VIEW.test(view)) state.view = view;
    else notices.push(`Ignored the timeline view "${quote(view, 30)}".`);
  }
  return state;
}

/** Origins allowed to control an embed: "https://a.example,https://b.example", "*" for any, "null" for file: pages. */
function parseOrigins(text, notices) {
  if (text === null || text === '') return [];
  const origins = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean).slice(0, 10)) {
    if (item === '*' || item === 'null') { origins.push(item); continue; }
    let origin = null;
    try { origin = new URL(item).origin; } catch { /* not a URL */ }
    if (origin && origin !== 'null' && origin === item.replace(/\/$/, '')) origins.push(origin);
    else notices.push(`Ignored the origin "${quote(item)}" (write it as scheme://host[:port]).`);
  }
  return origins;
}

/** The query string for a state: the lesson, its parameters in the lesson's order, then the rest. */
export function toSearch({ lesson, params = {}, view = null, embed = false, origins = [] }) {
  const query = new URLSearchParams({ lesson: lesson.id });
  for (const p of lesson.params) if (params[p.name] !== undefined && params[p.name] !== '') query.set(p.name, String(params[p.name]));
  if (view) query.set('view', view);
  if (embed) query.set('embed', '1');
  if (origins.length) query.set('origins', origins.join(','));
  return `?${query}`;
}

/** The link to share: the full page (never the embed mode, never an embed's allow-list). */
export function shareLink(href, state) {
  const url = new URL(href);
  url.search = toSearch({ lesson: state.lesson, params: state.params, view: state.view });
  url.hash = '';
  return url.toString();
}
