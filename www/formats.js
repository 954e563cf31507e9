// Data from where it lives (issue 18): Parquet, SQLite, Excel/ODS, JSON Lines
// and JSON files (dropped or picked) and URLs, besides CSV. The worker decides
// the format (magic bytes first, the name second) and converts anything but
// CSV to CSV text + types in its lazily loaded module (www/formats_worker.js);
// the page then reads that text like a dropped CSV (loadData), so the rest of
// the page does not know where the data came from.
//
// This module owns the URL field and the sheet/table picker of the data card.
// The URL (never the data) is kept in state.dataUrl for shared links.
import { $, el, clear, showError, clearError } from './dom.js';

const KIND = { excel: 'sheet', sqlite: 'table' };

/**
 * deps: {client, state, ui, loadData(blob, name, types), setStatus(text)}.
 * Returns openSource(blob, name, source?) for the file picker and the drop zone.
 */
export function setupSources(deps) {
  const { client, state, ui } = deps;
  const row = $('#source-part-row');
  const select = $('#source-part');
  const query = $('#source-query');
  let current = null; // {blob, name, format}

  async function openSource(blob, name, source = {}) {
    const r = await client.call('convert_data', { blob, name, source });
    if (r.format === 'csv') {
      row.hidden = true;
      current = null;
      return deps.loadData(blob, name);
    }
    current = { blob, name, format: r.format };
    showPicker(r);
    if (r.needs_choice) {
      deps.setStatus(`${name}: choose a ${KIND[r.format]}`);
      return undefined;
    }
    // The part in the name when there was a choice to make (a database's table, one of several sheets).
    const label = r.part && (r.format === 'sqlite' || (r.parts ?? []).length > 1) ? `${name} [${r.part}]` : name;
    return deps.loadData(new Blob([r.csv], { type: 'text/csv' }), label, r.types ?? {});
  }

  function showPicker(r) {
    const parts = r.parts ?? [];
    const sqlite = r.format === 'sqlite';
    row.hidden = !(parts.length > 1 || sqlite);
    if (row.hidden) return;
    $('#source-part-label').textContent = sqlite ? 'table' : 'sheet';
    clear(select);
    if (r.needs_choice) select.append(el('option', { value: '' }, `choose a ${KIND[r.format]}…`));
    for (const p of parts) select.append(el('option', { value: p }, p));
    select.value = r.needs_choice ? '' : r.part === 'query' ? '' : (r.part ?? '');
    $('#source-query-label').hidden = !sqlite;
  }

  async function readChoice(source) {
    if (!current) return;
    clearError(ui.dataError);
    try {
      await openSource(current.blob, current.name, source);
    } catch (e) {
      showError(ui.dataError, `Could not read ${current.name}: ${e.message}`);
    }
  }

  select.addEventListener('change', () => {
    if (!select.value || !current) return;
    readChoice(current.format === 'sqlite' ? { table: select.value } : { sheet: select.value });
  });
  $('#source-run-query').addEventListener('click', () => {
    const q = query.value.trim();
    if (q) readChoice({ query: q });
  });

  async function fetchUrl(url) {
    clearError(ui.dataError);
    let res;
    try {
      res = await fetch(url);
    } catch (e) {
      // Told apart by a no-cors request: it succeeds (opaquely) when only CORS refused.
      let reachable = false;
      try {
        await fetch(url, { mode: 'no-cors' });
        reachable = true;
      } catch {
        reachable = false;
      }
      throw new Error(
        reachable
          ? `the server does not let this page read ${url} (CORS: its answer has no Access-Control-Allow-Origin header); download the file and drop it here, or serve it with that header`
          : `cannot reach ${url} (${e.message})`,
      );
    }
    if (!res.ok) throw new Error(`${url}: the server answered HTTP ${res.status}`);
    const blob = await res.blob();
    const path = new URL(url, location.href).pathname;
    const name = decodeURIComponent(path.split('/').filter(Boolean).pop() ?? '') || 'data';
    await openSource(blob, name);
    state.dataUrl = url;
  }

  $('#load-url').addEventListener('click', async () => {
    const url = $('#data-url').value.trim();
    if (!url) return;
    try {
      await fetchUrl(url);
    } catch (e) {
      showError(ui.dataError, `Could not load ${url}: ${e.message}`);
    }
  });
  $('#data-url').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') $('#load-url').click();
  });

  return { openSource, fetchUrl };
}
