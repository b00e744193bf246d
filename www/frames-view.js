// The frames lab's player: the original and the processed clip side by side on two canvases, looping.
// The frames arrive as the outcome's `frame_playback` attachment (src/protocol.rs), two byte arrays the
// runtime worker transferred (not copied) at the end of the run; each frame is drawn straight from them.
import { el } from './dom.js';

const FPS = 24;

/** A player for the clips: RGBA bytes, frame after frame.
 *  @param {Extract<import('./types/generated/Attachment').Attachment, { kind: 'frame_playback' }>} playback */
export function framesView(playback) {
  const { width, height, frames, label } = playback;
  const frameLen = width * height * 4;
  const clips = [playback.original, playback.processed].map((a) => new Uint8ClampedArray(a.buffer, a.byteOffset, a.byteLength));
  const canvases = ['Original', `Processed: ${label}`].map((name) => el('canvas', {
    width, height, class: 'frames-canvas', role: 'img', 'aria-label': `${name}, ${width}×${height}`,
  }));
  const contexts = canvases.map((c) => c.getContext('2d'));
  const reduced = globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
  let index = 0;
  let playing = !reduced;
  let last = 0;

  const button = el('button', { type: 'button', class: 'frames-play', 'aria-pressed': String(playing), onclick: () => setPlaying(!playing) });
  const slider = el('input', {
    type: 'range', min: 0, max: frames - 1, step: 1, value: 0, class: 'frames-slider', 'aria-label': 'Frame',
    oninput: (e) => { setPlaying(false); draw(Number(e.target.value)); },
  });
  const counter = el('span', { class: 'frames-counter muted' });
  const root = el('figure', { class: 'frames-view', 'data-frame': '0', 'data-playing': String(playing) },
    el('figcaption', { text: `The clip, ${frames} frames of ${width}×${height}: original and processed (the thread pool's frames)` }),
    el('div', { class: 'frames-pair' }, canvases.map((c, i) => el('div', { class: 'frames-cell' }, c,
      el('span', { class: 'frames-name', text: i ? `Processed (${label})` : 'Original' })))),
    el('div', { class: 'frames-controls' }, button, slider, counter));

  function draw(i) {
    index = ((i % frames) + frames) % frames;
    clips.forEach((clip, k) => contexts[k].putImageData(new ImageData(clip.subarray(index * frameLen, (index + 1) * frameLen), width, height), 0, 0));
    slider.value = String(index);
    counter.textContent = `Frame ${index + 1} / ${frames}`;
    root.dataset.frame = String(index);
  }

  function setPlaying(on) {
    playing = on;
    button.textContent = on ? 'Pause' : 'Play';
    button.setAttribute('aria-pressed', String(on));
    root.dataset.playing = String(on);
    if (on) requestAnimationFrame(tick);
  }

  function tick(now) {
    // Stops by itself once the player leaves the page (another run or lesson replaced it).
    if (!playing || !root.isConnected && last) return;
    if (now - last >= 1000 / FPS) {
      last = now;
      if (root.isConnected) draw(index + 1);
    }
    requestAnimationFrame(tick);
  }

  draw(0);
  setPlaying(playing);
  return root;
}
