/* The playground as a custom element, from one script tag:

     <script src="https://PLAYGROUND-HOST/embed.js"></script>
     <concurrency-playground lesson="counter" threads="4"></concurrency-playground>

   The element shows the lesson in an iframe (the compact embed mode, ?embed=1). Attributes:
     lesson          a lesson id (default: the first lesson)
     height          the iframe's height in px before it sizes itself (default 640)
     allow-origins   more origins, comma-separated, that may control the embed (this page's own is added)
     code            a Python program for "Your code" (or put it in a <script type="text/python"> child)
     challenge       a built-in fix-it challenge's id (fix-counter, …); or put a challenge of your own, as
                     JSON (docs/challenges.md), in a <script type="application/json"> child
     anything else   a parameter of the lesson, e.g. threads="4" increments="1000000"
   They are read when the element is added to the page; use setParams() afterwards.
   Methods: run(params?), runCode(source), setParams(params, lesson?). Events on the element (CustomEvent, detail = the
   message): 'ready', 'lesson', 'run-started', 'run-finished', 'error'.
   Messages are accepted only from this element's own iframe and from the playground's origin. */
(() => {
  if (customElements.get('concurrency-playground')) return;
  const script = document.currentScript;
  const base = new URL('.', script ? /** @type {HTMLScriptElement} */ (script).src : location.href);
  const RESERVED = new Set(['lesson', 'height', 'allow-origins', 'class', 'style', 'id', 'title', 'code', 'challenge']);

  class ConcurrencyPlayground extends HTMLElement {
    #frame = null;
    #ready = false;
    #queue = [];
    #nextId = 1;

    connectedCallback() {
      if (this.#frame) return;
      // Upgraded while the page is still being parsed, the element has no children yet: a
      // <script type="text/python"> inside it appears later, so wait for the document.
      if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', () => { if (this.isConnected) this.connectedCallback(); }, { once: true });
        return;
      }
      const query = new URLSearchParams();
      // A Python program (the `code` attribute or a <script type="text/python"> child) opens "Your code"
      // with it, sent once the embed is ready (a program can be longer than a link may be).
      const code = this.getAttribute('code') ?? this.querySelector('script[type="text/python"]')?.textContent ?? null;
      if (code !== null) {
        query.set('lesson', 'code');
        this.#queue.push({ target: 'concurrency-playground', id: this.#nextId++, type: 'set-code', code: code.replace(/^\n/, '') });
      }
      // A challenge: a built-in one by id, or a teacher's own (JSON), sent once the embed is ready.
      const challenge = this.querySelector('script[type="application/json"]')?.textContent ?? null;
      if (challenge !== null) {
        query.set('lesson', 'code');
        this.#queue.push({ target: 'concurrency-playground', id: this.#nextId++, type: 'set-challenge', challenge });
      } else if (this.getAttribute('challenge')) {
        query.set('lesson', 'code');
        query.set('exercise', this.getAttribute('challenge'));
      }
      if (this.getAttribute('lesson') && code === null && !query.has('exercise') && challenge === null) query.set('lesson', this.getAttribute('lesson'));
      for (const { name, value } of this.attributes) {
        if (!RESERVED.has(name) && !name.startsWith('data-') && !name.startsWith('aria-')) query.set(name, value);
      }
      query.set('embed', '1');
      // The origin this page's messages arrive from: "null" for a page opened from a file, where
      // Chromium's location.origin would say "file://".
      const own = window.origin;
      const extra = (this.getAttribute('allow-origins') || '').split(',').map((s) => s.trim()).filter(Boolean);
      query.set('origins', [own, ...extra].join(','));
      const frame = document.createElement('iframe');
      frame.src = new URL(`index.html?${query}`, base).href;
      frame.title = `Threads vs processes playground${this.getAttribute('lesson') ? `: ${this.getAttribute('lesson')}` : ''}`;
      // cross-origin-isolated: threads work when this page is isolated too; clipboard-write: the Share button.
      frame.allow = 'cross-origin-isolated; clipboard-write';
      frame.loading = 'lazy';
      frame.style.cssText = `display:block;width:100%;border:1px solid #d9dde1;border-radius:8px;height:${Number(this.getAttribute('height')) || 640}px`;
      this.#frame = frame;
      window.addEventListener('message', this.#onMessage);
      this.replaceChildren(frame);
    }

    disconnectedCallback() {
      window.removeEventListener('message', this.#onMessage);
      this.#frame = null;
      this.#ready = false;
    }

    #onMessage = (event) => {
      if (!this.#frame || event.source !== this.#frame.contentWindow || event.origin !== base.origin) return;
      const message = event.data;
      if (!message || message.source !== 'concurrency-playground') return;
      if (message.type === 'resize') {
        this.#frame.style.height = `${Math.min(Math.max(Number(message.height) || 0, 200), 4000)}px`;
        return;
      }
      if (message.type === 'ready') {
        this.#ready = true;
        for (const m of this.#queue.splice(0)) this.#send(m);
      }
      this.dispatchEvent(new CustomEvent(message.type, { detail: message }));
    };

    #send(message) {
      const full = message.id ? message : { target: 'concurrency-playground', id: this.#nextId++, ...message };
      if (this.#ready && this.#frame) this.#frame.contentWindow.postMessage(full, base.origin);
      else this.#queue.push(full);
      return full.id;
    }

    /** Runs the lesson (optionally with new parameters); the results arrive in a 'run-finished' event. */
    run(params) {
      return this.#send(params ? { type: 'run', params } : { type: 'run' });
    }

    /** Runs a Python program in "Your code"; the result arrives in a 'run-finished' event. */
    runCode(code) {
      return this.#send({ type: 'run', code: String(code) });
    }

    /** Sets parameters (and switches lesson, if given) without running. */
    setParams(params, lesson) {
      return this.#send(lesson ? { type: 'set-params', params, lesson } : { type: 'set-params', params });
    }
  }

  customElements.define('concurrency-playground', ConcurrencyPlayground);
})();
