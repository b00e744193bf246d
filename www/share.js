// The Share button: copies a link to the current lesson and parameters. Where the clipboard cannot be
// written (an insecure page, an iframe without the clipboard-write permission, a refusal), the link is
// shown in a selected text field to copy by hand. The field is shown either way, so the link is visible.
import { el } from './dom.js';

/**
 * @param {HTMLElement} row      where the button goes (beside Run)
 * @param {() => string} link    the link to share, computed when the button is pressed
 */
export function setupShare(row, link) {
  const field = el('input', { id: 'share-link', type: 'text', readonly: true, 'aria-label': 'Link to this lesson with these settings', class: 'share-field' });
  const status = el('span', { id: 'share-status', class: 'share-status', role: 'status', 'aria-live': 'polite' });
  const panel = el('div', { id: 'share-panel', class: 'share-panel', hidden: true }, field, status);
  const button = el('button', { type: 'button', id: 'share', class: 'secondary', 'aria-controls': 'share-panel', onclick: () => share() }, 'Share');

  async function share() {
    const url = link();
    field.value = url;
    panel.hidden = false;
    status.textContent = '';
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(url);
      status.textContent = 'Link copied to the clipboard.';
      panel.dataset.copied = 'clipboard';
    } catch {
      field.focus();
      field.select();
      status.textContent = 'Copy the selected link (Ctrl+C or ⌘C).';
      panel.dataset.copied = 'manual';
    }
  }

  row.append(button);
  row.after(panel);
  return { button, field, panel };
}
