// What the page's own scripts add to the DOM's types, for `tsc --checkJs` (tsconfig.json). Hand-kept; the
// messages' types are generated beside this file (generated/, from Rust: see src/protocol/messages.rs).

interface Window {
  /** The programmatic entry point (www/playground.js), set by www/app.js once the page is set up. */
  playground?: import('../playground.js').Playground & {
    /** For teachers, in the console (www/exercises.js): a link that opens a challenge's JSON text. */
    challengeLink?: (text: string) => Promise<string>;
  };
  /** Resolves when `window.playground` is set. */
  playgroundReady?: Promise<unknown>;
  /** The benchmark page's entry point (www/bench/bench-page.js), which `npm run bench` drives: a request
   *  of `type` to the benchmark worker, resolving with its result. */
  bench?: { request(type: string, fields?: object): Promise<unknown> };
  /** coi-serviceworker's configuration (www/coi-config.js). */
  coi?: any;
}

// The page's modules talk through `playground:*` DOM events on `document` (www/app.js `tell`), each with a
// plain object as its detail; the details are the Rust types the runtimes send where they are those.
type RunOutcome = import('./generated/RunOutcome').RunOutcome;
/** What a run that is not a lesson's outcome lacks. */
type NotALessonOutcome = { values?: undefined, events?: undefined, params?: undefined, notices?: undefined,
  started_at?: undefined, finished_at?: undefined };
/** `playground:outcome`: a lesson's outcome, learner code's result, or why a run could not start. */
type PlaygroundOutcome =
  | (RunOutcome & { python?: undefined })
  | ({ lesson: string, python: import('../python/python-runtime.js').CodeResult, error?: undefined } & NotALessonOutcome)
  | ({ lesson: string, error: string, python?: undefined } & NotALessonOutcome);

interface DocumentEventMap {
  'playground:lesson': CustomEvent<import('./generated/LessonInfo').LessonInfo>;
  'playground:started': CustomEvent<{ lesson: string, params: import('./generated/Params').Params }>;
  'playground:run': CustomEvent<{ lesson: string }>;
  'playground:outcome': CustomEvent<PlaygroundOutcome>;
  'playground:progress': CustomEvent<undefined>;
  'playground:select-lesson': CustomEvent<{ id: string }>;
  'playground:code-change': CustomEvent<{ code: string }>;
  'playground:open-challenge-text': CustomEvent<{ text: string }>;
}

interface Document {
  // The page looks its controls up by id and knows what each is (an input, a button, a select): typing every
  // lookup with a cast would be noise, so a lookup is `any` here, as it was before any checking.
  getElementById(elementId: string): any;
}
