// What a learner has done, kept in this browser (localStorage): predictions, challenges passed, and the
// code they wrote for each challenge (so leaving a challenge loses nothing). Storage that is full or
// blocked (a private window) is not an error: the page works on without it.
export const STORE_KEY = 'playground.exercises.v1';
const DRAFTS_KEY = 'playground.challenge-drafts.v1';

export function loadProgress() {
  try {
    const p = JSON.parse(localStorage.getItem(STORE_KEY) ?? 'null');
    if (p && typeof p === 'object') return { predictions: p.predictions ?? {}, challenges: p.challenges ?? {} };
  } catch { /* unreadable or blocked storage: start afresh */ }
  return { predictions: {}, challenges: {} };
}

/** Merges `entry` into the progress of `kind` ('predictions' or 'challenges') `id`; tells the page. */
export function record(kind, id, entry) {
  const progress = loadProgress();
  progress[kind][id] = { ...progress[kind][id], ...entry, at: Date.now() };
  try { localStorage.setItem(STORE_KEY, JSON.stringify(progress)); } catch { /* storage full or blocked */ }
  document.dispatchEvent(new CustomEvent('playground:progress'));
  return progress[kind][id];
}

function drafts() {
  try {
    const d = JSON.parse(localStorage.getItem(DRAFTS_KEY) ?? 'null');
    return d && typeof d === 'object' ? d : {};
  } catch { return {}; }
}

/** The learner's code for challenge `key`, or null. */
export function loadDraft(key) {
  const code = drafts()[key];
  return typeof code === 'string' ? code : null;
}

/** Keeps the learner's code for challenge `key` (null forgets it). */
export function saveDraft(key, code) {
  const all = drafts();
  if (code === null) delete all[key];
  else all[key] = code;
  try { localStorage.setItem(DRAFTS_KEY, JSON.stringify(all)); } catch { /* storage full or blocked */ }
}
