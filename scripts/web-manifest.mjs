// Writes www/pkg/manifest.js for the service worker (sw.js): the files the page
// needs offline (relative to the page's directory) and a build hash over their
// contents, so that a new build gets a new cache and replaces the old one.
// usage: node scripts/web-manifest.mjs [--root DIR]   (run by scripts/build-web.sh, last;
// --root: a copy of the page elsewhere, as the offline e2e test makes one)
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootArg = process.argv.indexOf('--root');
const root = rootArg > 0 ? process.argv[rootArg + 1] : join(fileURLToPath(new URL('.', import.meta.url)), '..');
const OUT = 'www/pkg/manifest.js';

const list = (dir, test) =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir), { withFileTypes: true })
        .filter((d) => d.isFile() && test(d.name))
        .map((d) => `${dir}/${d.name}`)
        .sort()
    : [];

const files = [
  'index.html',
  ...list('www', (n) => /\.(js|css)$/.test(n)),
  ...list('www/vendor', (n) => /\.(js|wasm)$/.test(n)),
  ...list('www/pkg', (n) => /\.(js|wasm|json)$/.test(n) && `www/pkg/${n}` !== OUT),
  ...list('www/datasets', (n) => n.endsWith('.csv')),
];
for (const need of ['www/pkg/pipelab_core.js', 'www/pkg/pipelab_core_bg.wasm', 'www/pkg/pipelab_full.js', 'www/pkg/pipelab_full_bg.wasm', 'www/pkg/catalog.json']) {
  if (!files.includes(need)) throw new Error(`web-manifest: ${need} is missing (build the wasm first)`);
}
const hash = createHash('sha256');
for (const f of [...files, 'sw.js']) hash.update(f).update('\0').update(readFileSync(join(root, f))).update('\0');
const build = hash.digest('hex').slice(0, 16);
writeFileSync(
  join(root, OUT),
  `// Written by scripts/web-manifest.mjs (scripts/build-web.sh): the service worker's cache list.\n` +
    `self.PIPELAB_BUILD = ${JSON.stringify(build)};\n` +
    `self.PIPELAB_FILES = ${JSON.stringify(['./', ...files], null, 1)};\n`,
);
console.log(`web-manifest: build ${build}, ${files.length} files`);
