// Tiny DOM helpers. Everything user-supplied (file names, column names, cell
// values, error messages) goes into the page as TEXT nodes: nothing here ever
// assigns innerHTML.

/** Creates an element: `el('td', {class: 'num'}, 'text', childNode, ...)`. */
export function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') n.className = v;
    // Through the CSSOM: a `style` attribute would need the CSP's 'unsafe-inline'.
    else if (k === 'style') n.style.cssText = String(v);
    else if (k === 'dataset') Object.assign(n.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') n.addEventListener(k.slice(2), v);
    else n.setAttribute(k, v === true ? '' : String(v));
  }
  append(n, ...children);
  return n;
}

export function append(n, ...children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    n.append(c instanceof Node ? c : document.createTextNode(showBidiControls(String(c))));
  }
  return n;
}

/**
 * Makes bidirectional embedding, override and isolate characters visible
 * ("⟦U+202E⟧"): in a column name, class label or file name they would reorder
 * what is shown ("\u202Egnp.exe" displays as "exe.png").
 */
export function showBidiControls(text) {
  return text.replace(/[\u202a-\u202e\u2066-\u2069]/g, (ch) => `\u27e6U+${ch.codePointAt(0).toString(16).toUpperCase()}\u27e7`);
}

export const $ = (sel, root = document) => root.querySelector(sel);

export function clear(n) {
  n.replaceChildren();
  return n;
}

/** Shows a readable error message (as text) in a role=alert box. */
export function showError(box, message) {
  box.textContent = showBidiControls(String(message));
  box.hidden = false;
}

export function clearError(box) {
  box.textContent = '';
  box.hidden = true;
}

/** Formats a number for display: 6 significant digits, no exponent for ordinary magnitudes. */
export function fmt(x, digits = 6) {
  if (typeof x !== 'number') return String(x ?? '');
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-4 && a < 1e9) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1);
}

/**
 * A safe download file name from one that may hold user content (a data file's
 * or a run's name): no path separators, control or bidirectional-override
 * characters (which can disguise "txt.exe" as "exe.txt"), nor characters
 * Windows refuses; at most 120 characters, keeping the extension.
 */
export function safeFileName(name, fallback = 'download') {
  let s = String(name ?? '')
    .normalize('NFC')
    // C0/C1 controls, bidi marks/overrides/isolates, zero-width and BOM characters.
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/[<>:"/\\|?*]+/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '');
  if (s.length > 120) {
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(s)?.[0] ?? '';
    s = s.slice(0, 120 - ext.length) + ext;
  }
  return s || fallback;
}

/** Saves text as a file through a Blob download (the name made safe by safeFileName). */
export function download(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: safeFileName(filename), hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A small RFC 4180 CSV parser (for previewing the predictions CSV the core wrote). */
// Parses CSV text; with `maxRows`, stops after that many records (the page shows
// the first rows of a prediction file that can be tens of megabytes).
export function parseCsv(text, maxRows = Infinity) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (rows.length >= maxRows) return rows;
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Long numbers in a preview are shortened for reading; the downloaded CSV keeps every digit. */
export function fmtCell(v) {
  if (v === undefined) return '';
  const x = Number(v);
  return v.trim() !== '' && Number.isFinite(x) && v.length > 10 ? fmt(x) : v;
}

/**
 * Runs `fn` once the page has painted what it shows now (a frame, then a task): for drawing
 * that may wait (charts), so numbers and tables appear first. In a hidden tab, where frames
 * stop, a timer runs it instead.
 */
export function afterPaint(fn) {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 250);
}
