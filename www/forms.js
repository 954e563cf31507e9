// Parameter forms generated from the catalogue's parameter schemas (ParamInfo
// in src/estimator.rs): no step or model has a hand-written form.
import { el } from './dom.js';

const NUMERIC = new Set(['int', 'float', 'int_or_null', 'float_or_null']);

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b ?? null);
}

/**
 * Builds the form of one component (`{name, params: [ParamInfo]}`).
 * `prefix` makes element ids unique. Returns {node, values(), reset()}:
 * values() gives the parameters that differ from scikit-learn's defaults
 * (as a scikit-learn repr shows them), or throws an Error naming the parameter.
 */
export function paramForm(info, prefix) {
  const node = el('div', { class: 'params', dataset: { component: info.name } });
  const fields = [];
  for (const p of info.params) {
    const id = `${prefix}-${p.name}`;
    const nullable = p.default === null || p.kind.endsWith('_or_null');
    let input;
    let get;
    const bad = (what) => new Error(`${info.name}: parameter '${p.name}' ${what}`);
    if (p.kind === 'bool') {
      input = el('input', { type: 'checkbox', id });
      input.checked = !!p.default;
      get = () => input.checked;
    } else if (p.kind === 'choice') {
      input = el('select', { id });
      if (p.default === null) input.append(el('option', { value: '' }, 'None'));
      for (const c of p.choices ?? []) input.append(el('option', { value: c }, c));
      input.value = p.default ?? '';
      get = () => (input.value === '' ? null : input.value);
    } else if (NUMERIC.has(p.kind)) {
      const isInt = p.kind.startsWith('int');
      input = el('input', {
        type: 'number',
        id,
        step: isInt ? '1' : 'any',
        min: p.min ?? null,
        max: p.max ?? null,
        placeholder: nullable ? 'None' : null,
      });
      input.value = p.default ?? '';
      get = () => {
        const s = input.value.trim();
        if (s === '') {
          if (nullable) return null;
          throw bad('needs a number');
        }
        const v = Number(s);
        if (!Number.isFinite(v)) throw bad(`must be a number, got ${JSON.stringify(s)}`);
        if (isInt && !Number.isInteger(v)) throw bad(`must be a whole number, got ${s}`);
        if (p.min !== undefined && v < p.min) throw bad(`must be ≥ ${p.min}, got ${s}`);
        if (p.max !== undefined && v > p.max) throw bad(`must be ≤ ${p.max}, got ${s}`);
        return v;
      };
    } else if (p.kind === 'list') {
      input = el('input', { type: 'text', id, placeholder: p.default === null ? 'None' : 'comma-separated' });
      input.value = p.default == null ? '' : (p.default ?? []).join(', ');
      get = () => {
        const s = input.value.trim();
        if (s === '') return p.default === null ? null : [];
        if (s.startsWith('[')) {
          try {
            return JSON.parse(s);
          } catch {
            throw bad('is not a valid JSON list');
          }
        }
        const items = s.split(',').map((t) => t.trim());
        return items.every((t) => t !== '' && Number.isFinite(Number(t))) ? items.map(Number) : items;
      };
    } else {
      // "string" and any kind this page does not know yet: free text.
      input = el('input', { type: 'text', id, placeholder: p.default === null ? 'None' : null });
      input.value = p.default ?? '';
      get = () => {
        const s = input.value;
        if (s === '' && p.default === null) return null;
        // "string" parameters that also take a number (KMeans n_init, max_features, k):
        // numeric text is sent as a number, as the spec expects.
        const t = s.trim();
        return t !== '' && Number.isFinite(Number(t)) ? Number(t) : s;
      };
    }
    input.dataset.param = p.name;
    input.title = p.help;
    const label = el('label', { for: id }, p.name);
    const row = el('div', { class: `param param-${p.kind}` }, label, input, el('small', { class: 'help' }, p.help));
    node.append(row);
    fields.push({ p, input, get });
  }
  if (!info.params.length) node.append(el('p', { class: 'muted' }, 'No parameters.'));
  return {
    node,
    values() {
      const out = {};
      for (const { p, get } of fields) {
        const v = get();
        if (!same(v, p.default)) out[p.name] = v;
      }
      return out;
    },
  };
}

/** Sets a paramForm's inputs from a spec's parameter object. */
export function fillForm(form, values) {
  for (const [k, v] of Object.entries(values ?? {})) {
    const input = form.node.querySelector(`[data-param="${CSS.escape(k)}"]`);
    if (!input) continue;
    if (input.type === 'checkbox') input.checked = !!v;
    else if (Array.isArray(v)) input.value = v.some((x) => typeof x === 'object') ? JSON.stringify(v) : v.join(', ');
    else if (v !== null && typeof v === 'object') input.value = JSON.stringify(v);
    else input.value = v ?? '';
  }
}
