// The code editor, bundled by scripts/build.sh (esbuild) into www/vendor/editor.js: CodeMirror 6 with
// Python highlighting, line numbers, Ctrl/Cmd+Enter to run, and a label for screen readers. Loaded only
// when a learner opens code, so lesson pages do not carry it.
import { EditorView, basicSetup } from 'codemirror';
import { keymap } from '@codemirror/view';
import { EditorSelection, Prec } from '@codemirror/state';
import { indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';

/**
 * @param {HTMLElement} parent
 * @param {{ doc: string, label: string, onRun: () => void, onChange?: () => void }} options
 */
export function createEditor(parent, { doc, label, onRun, onChange }) {
  const run = () => { onRun(); return true; };
  const view = new EditorView({
    doc,
    parent,
    extensions: [
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
