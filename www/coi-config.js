// Settings for coi-serviceworker.js (the isolation fallback, loaded right after this classic script; a file
// rather than an inline script because the Content-Security-Policy allows scripts from this origin only).
// Not inside an iframe: there the embedding page decides about isolation.
window.coi = { shouldRegister: () => window.top === window, quiet: true };
