// Writes www/pkg/catalog.json: the catalogue the page builds its palette, forms and
// explanations from (steps and models with their parameter schemas, help, summaries and
// explanations; metrics), taken from the full wasm module's `Session.catalog()` so it is
// the same value the CLI's `pipelab catalog` prints. The first module does not carry it
// (its schemas and texts were 41 KB gzip of it; bench/HISTORY.md, "Session 11"): the worker
// fetches this file at start-up, beside the module.
// usage: node scripts/web-catalog.mjs   (run by scripts/build-web.sh after both modules)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'www', 'pkg');
const glue = await import(pathToFileURL(join(pkg, 'pipelab_full.js')).href);
glue.initSync({ module: readFileSync(join(pkg, 'pipelab_full_bg.wasm')) });
const session = new glue.Session();
const catalog = session.catalog();
session.free();
if (!Array.isArray(catalog?.steps) || !Array.isArray(catalog?.models)) throw new Error('web-catalog: the full module returned no catalogue');
writeFileSync(join(pkg, 'catalog.json'), `${JSON.stringify(catalog)}\n`);
console.log(`web-catalog: ${catalog.steps.length} steps, ${catalog.models.length} models`);
