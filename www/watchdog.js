// The limits the page enforces around a run, and the checks on what callers pass in (the programmatic
// entry point is public: a console, a test or a host page may pass anything).
//
// - Time limit: every run has one (default 60 s, 1 s to 10 min). When it passes, or when the learner
//   presses Stop, the run is asked to stop cooperatively (every wait in the engine checks a stop flag);
//   a run that has not ended GRACE_MS later (an endless loop never checks) is ended the hard way: the
//   runtime worker — and with it every thread and process worker — is terminated and a fresh one starts.

export const TIME_LIMIT = Object.freeze({ defaultS: 60, minS: 1, maxS: 600 });
/** How long a stopped run gets to end by itself before its workers are terminated. */
export const GRACE_MS = 250;
/** Parameters kept per run (the engine ignores unknown names anyway; this bounds the message). */
const MAX_PARAM_KEYS = 200;
/** Longer strings are not sent: none is a valid number, and the engine would only echo 40 characters. */
const MAX_STRING = 200;

/** A short, safe description of any value, for messages. */
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  switch (typeof value) {
    case 'string': return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
    case 'number': case 'boolean': case 'bigint': return String(value);
    case 'undefined': return 'undefined';
    case 'function': return 'a function';
    case 'symbol': return 'a symbol';
    default: return 'an object';
  }
}

/** The time limit to use, and a notice when the one asked for was changed. */
export function clampTimeLimit(seconds) {
  if (seconds === undefined || seconds === null || seconds === '') return { seconds: TIME_LIMIT.defaultS, notice: null };
  const n = typeof seconds === 'string' ? Number(seconds.trim()) : seconds;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    return { seconds: TIME_LIMIT.defaultS, notice: `The time limit must be a number of seconds, not ${describe(seconds)}; using ${TIME_LIMIT.defaultS} s.` };
  }
  const clamped = Math.min(TIME_LIMIT.maxS, Math.max(TIME_LIMIT.minS, n));
  if (clamped !== n) {
    return { seconds: clamped, notice: `The time limit must be ${TIME_LIMIT.minS}–${TIME_LIMIT.maxS} s, not ${describe(n)}; using ${clamped} s.` };
  }
  return { seconds: n, notice: null };
}

/** One parameter value, made safe to post: what the engine can judge (and name in its notice). */
function sendable(value) {
  switch (typeof value) {
    case 'number': return Number.isFinite(value) ? value : String(value); // NaN would arrive as "missing"
    case 'string':
      if (value.length <= MAX_STRING) return value;
      // A long run of digits is still a (huge) number: its first digits keep it one, and out of range.
      return /^\s*-?[\d_,]+\s*$/.test(value) ? value.trim().slice(0, MAX_STRING) : `(${describe(value)})`;
    case 'boolean': return value;
    case 'bigint': return value.toString().slice(0, MAX_STRING); // as digits; too many for any parameter
    case 'undefined': return null;
    case 'object':
      if (value === null) return null;
      return `(${describe(value)})`;
    default: return `(${describe(value)})`;
  }
}

/**
 * Checks a run request before it is posted. Returns `{ lesson, params }` ready to post, or throws an
 * Error saying what is wrong with the lesson. Parameter values are judged by the engine, which clamps them
 * and says what it changed; here they are only made safe to post.
 */
export function checkRequest(lesson, params) {
  if (typeof lesson !== 'string' || lesson.length === 0 || lesson.length > 100) {
    throw new Error(`The lesson must be a lesson id such as "counter", not ${describe(lesson)}.`);
  }
  if (params === undefined || params === null) return { lesson, params: {} };
  if (typeof params !== 'object' || Array.isArray(params)) {
    // The engine says "Parameters must be given as name/value pairs; using the defaults."
    return { lesson, params: [] };
  }
  const out = Object.create(null); // "__proto__" stays an ordinary (unknown) name
  let kept = 0;
  for (const key of Object.keys(params)) {
    if (kept++ >= MAX_PARAM_KEYS) break;
    const name = key.length > MAX_STRING ? `(${describe(key)})` : key;
    let value;
    try {
      value = params[key];
    } catch {
      value = '(a value that cannot be read)'; // a throwing getter
    }
    out[name] = sendable(value);
  }
  return { lesson, params: out };
}
