// The Export area: the session's current model (trained on the page or loaded from a
// file) downloaded as ONNX, run by any ONNX runtime. The worker's Session builds it.
import { $, showError, clearError, download } from './dom.js';
import { store } from './store.js';
import { client, recoverIfFatal } from './session.js';

export function setupExport() {
  const status = $('#export-status');
  const error = $('#export-error');
  $('#download-onnx').addEventListener('click', async () => {
    clearError(error);
    if (!store.get('model')) {
      showError(error, 'No model yet: fit one ("Fit on all rows & download model") or load a model file first.');
      return;
    }
    status.textContent = 'writing the ONNX graph…';
    try {
      const bytes = await client.call('export_onnx');
      const base = (store.get('data')?.name || 'data').replace(/\.[^.]*$/, '') || 'data';
      const name = `pipelab-model-${base}.onnx`;
      download(bytes, name, 'application/octet-stream');
      status.textContent = `saved ${name} (${(bytes.length / 1024).toFixed(1)} KiB)`;
    } catch (e) {
      status.textContent = '';
      showError(error, `Could not export to ONNX: ${e.message}`);
      await recoverIfFatal(e);
    }
  });
}
