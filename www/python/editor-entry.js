// The code editor, bundled by scripts/build.sh (esbuild) into www/vendor/editor.js: CodeMirror 6 with
// Python highlighting, line numbers, Ctrl/Cmd+Enter to run, and a label for screen readers. Loaded only
// when a learner opens code, so lesson pages do not carry it.
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { EditorSelection, Prec } from '@codemirror/state';
import { indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

// The editor lives in a shadow root: there CodeMirror's styles go into a constructed style sheet
// (adoptedStyleSheets), which the page's Content-Security-Policy (style-src 'self') allows; in the
// document itself they would be a <style> element, which it forbids.
// The editor grows with the program (no scrolling box of its own, long lines wrap), so the page scrolls
// as one and a keyboard user never meets a region it cannot scroll.
const theme = EditorView.theme({
  '&': { minHeight: '12rem', fontSize: '0.9rem', backgroundColor: '#fff', color: '#1b1f24' },
  '&.cm-focused': { outline: '2px solid #2a62c9' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace' },
  '.cm-gutters': { backgroundColor: '#f3f4f6', color: '#4b5563', borderRight: '1px solid #d1d5db' },
});

// Highlighting colours with at least 4.5:1 contrast on white (WCAG AA), unlike the default style's.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.definitionKeyword, t.moduleKeyword], color: '#7a2e9e' },
  { tag: [t.string, t.special(t.string)], color: '#0a6a2c' },
  { tag: [t.number, t.bool, t.null, t.atom], color: '#0550ae' },
  { tag: [t.comment, t.lineComment], color: '#57606a', fontStyle: 'italic' },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.definition(t.variableName)], color: '#8a4600' },
  { tag: [t.className, t.definition(t.className)], color: '#8a4600', fontWeight: 'bold' },
  { tag: [t.self, t.special(t.variableName)], color: '#9a2438' },
  { tag: t.invalid, color: '#b3261e' },
]);

/**
 * @param {HTMLElement} host  the editor's element; its content goes into its shadow root
 * @param {{ doc: string, label: string, onRun: () => void, onChange?: () => void }} options
 */
export function createEditor(host, { doc, label, onRun, onChange }) {
  const run = () => { onRun(); return true; };
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.replaceChildren();
  const view = new EditorView({
    doc,
    root,
    parent: root,
    extensions: [
      theme,
      EditorView.lineWrapping,
      syntaxHighlighting(highlight),
      basicSetup,
      python(),
      // Tab indents (Python needs it); Esc then Tab leaves the editor, as CodeMirror documents.
      keymap.of([indentWithTab]),
      Prec.highest(keymap.of([{ key: 'Mod-Enter', run }, { key: 'Shift-Enter', run }])),
      EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
      EditorView.updateListener.of((update) => { if (update.docChanged) onChange?.(); }),
    ],
  });
  return {
    getCode: () => view.state.doc.toString(),
    setCode: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
    /** Puts the cursor on line `n` (1-based) and scrolls it into view. */
    goToLine(n) {
      const line = view.state.doc.line(Math.min(Math.max(1, n), view.state.doc.lines));
      view.dispatch({ selection: EditorSelection.cursor(line.from), effects: EditorView.scrollIntoView(line.from, { y: 'center' }) });
      view.focus();
    },
    view,
  };
}

// The program in a link: lz-string's URI-safe compression (`?lesson=code&code=…`).
export { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
