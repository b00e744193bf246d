// What the page's own scripts add to the DOM's types, for `tsc --checkJs` (tsconfig.json). Hand-kept; the
// messages' types are generated beside this file (generated/, from Rust: see src/protocol/messages.rs).

interface Window {
  /** The programmatic entry point (www/playground.js), set by www/app.js once the page is set up. */
  playground?: any;
  /** Resolves when `window.playground` is set. */
  playgroundReady?: Promise<unknown>;
  /** coi-serviceworker's configuration (www/coi-config.js). */
  coi?: any;
}

// The page's modules talk through `playground:*` DOM events on `document` (www/app.js `tell`), each with a
// plain object as its detail.
interface DocumentEventMap {
  'playground:lesson': CustomEvent<any>;
  'playground:started': CustomEvent<any>;
  'playground:run': CustomEvent<any>;
  'playground:outcome': CustomEvent<any>;
  'playground:progress': CustomEvent<any>;
  'playground:select-lesson': CustomEvent<any>;
  'playground:code-change': CustomEvent<any>;
  'playground:open-challenge-text': CustomEvent<any>;
}

interface Document {
  // The page looks its controls up by id and knows what each is (an input, a button, a select): typing every
  // lookup with a cast would be noise, so a lookup is `any` here, as it was before any checking.
  getElementById(elementId: string): any;
}
