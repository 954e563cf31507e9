// "Show the code": the pipeline being built, as the scikit-learn script
// `pipelab export --format sklearn` writes (the same text: the worker calls the
// same core function). Updated whenever the spec view changes, while the panel
// is open; Copy and Download act on the text shown.
import { $, download } from './dom.js';
import { store } from './store.js';
import { client } from './session.js';

let specText = '';
let shownFor = null;
let pending = null;

/** Wires the panel: it follows the store's `spec-text`. */
export function setupCode() {
  store.on('spec-text-changed', noteCodeSpec);
  const details = $('#code-details');
  details.addEventListener('toggle', () => {
    if (details.open) refresh();
  });
  $('#code-copy').addEventListener('click', async () => {
    const text = $('#code-view').textContent;
    try {
      await navigator.clipboard.writeText(text);
      status('copied');
    } catch {
      // No clipboard permission (e.g. an insecure origin): select the text for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents($('#code-view'));
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      status('selected: press Ctrl+C to copy');
    }
  });
  $('#code-download').addEventListener('click', () => download($('#code-view').textContent, 'pipeline.py', 'text/x-python'));
}

/** The spec JSON shown in the spec view changed. */
function noteCodeSpec(text) {
  specText = text;
  if ($('#code-details')?.open) refresh();
}

function status(text) {
  $('#code-status').textContent = text;
}

// One request at a time; the latest spec wins.
async function refresh() {
  if (specText === shownFor) return;
  if (pending) return;
  const text = specText;
  pending = (async () => {
    try {
      const script = await client.call('export_sklearn', { spec: text });
      $('#code-view').textContent = script;
      $('#code-view').classList.remove('invalid');
      $('#code-copy').disabled = false;
      $('#code-download').disabled = false;
      status('');
    } catch (e) {
      $('#code-view').textContent = `# ${e.message}`;
      $('#code-view').classList.add('invalid');
      $('#code-copy').disabled = true;
      $('#code-download').disabled = true;
    }
    shownFor = text;
  })();
  await pending;
  pending = null;
  if (specText !== shownFor) refresh();
}
