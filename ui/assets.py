"""The page's CSS and the source viewer's JavaScript, kept as Python strings so they ship with the
package without package-data configuration."""

CSS = """
.gradio-container { max-width: 1400px !important; margin: 0 auto !important; }
#rag-header h1 { font-size: 1.45rem; margin: 0 0 .15rem 0; }
#rag-header p { margin: 0; color: var(--body-text-color-subdued); font-size: .92rem; }

/* answers in the chat */
.rag-answer { line-height: 1.55; }
.rag-answer .rag-text { white-space: normal; }
.rag-cursor { display: inline-block; width: .5em; height: 1em; margin-left: 2px; vertical-align: text-bottom;
  background: var(--color-accent); animation: rag-blink 1s steps(2, start) infinite; }
@keyframes rag-blink { to { visibility: hidden; } }
a.rag-cite { font-size: .78em; font-weight: 600; text-decoration: none !important; vertical-align: super;
  padding: 0 .22em; margin: 0 .06em; border-radius: 4px; color: var(--color-accent) !important;
  background: var(--color-accent-soft); cursor: pointer; }
a.rag-cite:hover { background: var(--color-accent); color: white !important; }
.rag-badge { display: inline-flex; align-items: center; gap: .35em; font-size: .78rem; font-weight: 700;
  text-transform: uppercase; letter-spacing: .04em; color: #92400e; background: #fef3c7;
  border: 1px solid #fcd34d; border-radius: 999px; padding: .1em .7em; margin-bottom: .45em; }
.rag-answer.rag-abstained { border-left: 3px solid #f59e0b; padding-left: .75em; }
.rag-answer.rag-abstained .rag-text { color: #78350f; font-style: italic; }
.rag-sources { margin-top: .7em; padding-top: .5em; border-top: 1px solid var(--border-color-primary); }
.rag-sources-title { font-size: .72rem; font-weight: 700; text-transform: uppercase; letter-spacing: .05em;
  color: var(--body-text-color-subdued); margin-bottom: .3em; }
a.rag-source { display: flex; gap: .55em; align-items: baseline; padding: .35em .5em; margin: .2em 0;
  border-radius: 8px; border: 1px solid var(--border-color-primary); text-decoration: none !important;
  color: inherit !important; cursor: pointer; background: var(--background-fill-primary); }
a.rag-source:hover { border-color: var(--color-accent); background: var(--color-accent-soft); }
.rag-source-n { flex: none; font-weight: 700; font-size: .8rem; color: var(--color-accent); }
.rag-source-body { min-width: 0; }
/* one line, cut with an ellipsis, without making the message as wide as the whole title */
.rag-source-title { display: -webkit-box; -webkit-line-clamp: 1; -webkit-box-orient: vertical; overflow: hidden;
  font-weight: 600; font-size: .83rem; overflow-wrap: anywhere; }
.rag-source-quote { display: block; font-size: .82rem; color: var(--body-text-color-subdued); }
.rag-meta { margin-top: .4em; font-size: .72rem; color: var(--body-text-color-subdued); }

/* the source viewer */
#rag-viewer { border: 1px solid var(--border-color-primary); border-radius: 12px; background: var(--background-fill-primary);
  overflow: hidden; }
.rag-doc-head { padding: .75rem 1rem; border-bottom: 1px solid var(--border-color-primary);
  background: var(--background-fill-secondary); }
.rag-doc-kicker { font-size: .7rem; font-weight: 700; letter-spacing: .06em; text-transform: uppercase;
  color: var(--body-text-color-subdued); }
.rag-doc-title { font-weight: 700; font-size: 1rem; line-height: 1.3; margin-top: .1rem; }
.rag-doc-where { font-size: .76rem; color: var(--body-text-color-subdued); margin-top: .2rem; }
.rag-doc-body { white-space: pre-wrap; overflow-wrap: anywhere; font-size: .86rem; line-height: 1.6;
  padding: .8rem 1rem 1.2rem 1rem; height: max(300px, calc(100vh - 390px)); overflow-y: auto; }
.rag-doc-body mark { background: #fde68a; color: #1f2937; border-radius: 3px; padding: .05em 0;
  box-shadow: 0 0 0 2px #fbbf24; }
.rag-empty { padding: 1.4rem 1.2rem; color: var(--body-text-color-subdued); font-size: .9rem; line-height: 1.6; }
.rag-empty b { color: var(--body-text-color); }
.rag-loading { opacity: .55; transition: opacity .1s; }
.rag-hl-sample { background: #fde68a; border-radius: 3px; padding: 0 .15em; }

/* the document list */
.rag-docs { display: flex; flex-direction: column; gap: .3rem; text-align: left; }
a.rag-doc-link { display: block; text-align: left !important; padding: .45rem .6rem; border-radius: 8px; text-decoration: none !important;
  color: inherit !important; border: 1px solid var(--border-color-primary); cursor: pointer; }
a.rag-doc-link:hover { border-color: var(--color-accent); background: var(--color-accent-soft); }
.rag-doc-link-title { display: block; font-size: .84rem; font-weight: 600; line-height: 1.3; }
.rag-doc-link-meta { display: block; font-size: .72rem; color: var(--body-text-color-subdued); }

/* narrow screens: the viewer goes below the chat */
@media (max-width: 900px) {
  #rag-main { flex-direction: column !important; }
  #rag-main > .column { min-width: 100% !important; width: 100% !important; }
  .rag-doc-body { height: 60vh; }
}

#rag-feedback { border: 1px dashed var(--border-color-primary); border-radius: 10px; padding: .4rem .6rem; }
#rag-feedback-note { font-size: .85rem; }
"""

# Runs when the viewer mounts. Clicks anywhere on the page on a link to "#rag:SOURCE:START:END"
# (a citation in the chat, a source card, a document in the list) open that document here, with
# the cited span marked and scrolled into view. The document comes from the server function
# `open_document`, which goes through the page's login like every other call.
VIEWER_JS = """
window.__ragOpen = async (source, start, end) => {
  const key = source + ':' + start + ':' + end + ':' + Date.now();
  element.classList.add('rag-loading');
  try {
    props.value = await server.open_document({source: source, start: start, end: end, key: key});
  } finally {
    element.classList.remove('rag-loading');
  }
  for (let i = 0; i < 60; i++) {
    await new Promise(r => requestAnimationFrame(r));
    const doc = element.querySelector('.rag-doc');
    if (doc && doc.dataset.key === key) {
      const body = doc.querySelector('.rag-doc-body');
      const mark = doc.querySelector('mark');
      if (mark && body) {
        body.scrollTop = Math.max(0, mark.offsetTop - body.offsetTop - body.clientHeight / 3);
        mark.scrollIntoView({block: 'nearest'});
      } else if (body) {
        body.scrollTop = 0;
      }
      const r = element.getBoundingClientRect();
      if (r.top < 0 || r.top > window.innerHeight - 80) element.scrollIntoView({block: 'start', behavior: 'smooth'});
      break;
    }
  }
};
if (!window.__ragClicks) {
  window.__ragClicks = true;
  document.addEventListener('click', (ev) => {
    const link = ev.target && ev.target.closest ? ev.target.closest('a[href^="#rag:"]') : null;
    if (!link) return;
    ev.preventDefault();
    ev.stopPropagation();
    const parts = link.getAttribute('href').slice(5).split(':');
    const end = parseInt(parts.pop(), 10), start = parseInt(parts.pop(), 10);
    window.__ragOpen(decodeURIComponent(parts.join(':')), start, end);
  }, true);
}
"""
