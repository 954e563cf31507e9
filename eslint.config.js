// ESLint (flat config) for the page's modules and the end-to-end tests; run
// first by scripts/test.sh so a slip fails in seconds. Vendored and generated
// code (www/vendor, www/pkg) is not ours to lint.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['www/vendor/**', 'www/pkg/**', 'node_modules/**', 'target/**', 'test-results/**', 'bench/out/**', 'fuzz/**'] },
  js.configs.recommended,
  {
    files: ['www/**/*.js', 'bench/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.browser, ...globals.worker, Chart: 'readonly' } },
  },
  {
    files: ['tests/**/*.mjs', 'scripts/**/*.mjs', 'bench/**/*.mjs', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
];
