// A unit test of the page's state store (www/store.js), run with the e2e files by
// `node --test tests/e2e/` but without a browser: the store is plain JavaScript.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createStore, store } from '../../www/store.js';

const source = readFileSync(new URL('../../www/store.js', import.meta.url), 'utf8');

test('set stores the value and emits <key>-changed with the value and the previous one', async () => {
  const s = createStore({ table: null });
  const seen = [];
  s.on('table-changed', (v, prev) => seen.push([v, prev]));
  await s.set('table', { rows: 3 });
  await s.set('table', null);
  assert.deepEqual(seen, [[{ rows: 3 }, null], [null, { rows: 3 }]]);
  assert.equal(s.get('table'), null);
});

test('an unknown value is an error, never a silent new key', () => {
  const s = createStore({ a: 1 });
  assert.throws(() => s.get('b'), /unknown value "b"/);
  assert.throws(() => s.set('b', 2), /unknown value "b"/);
});

test('listeners run in subscription order; emit waits for async listeners and returns their results', async () => {
  const s = createStore({});
  const order = [];
  s.on('open-spec', (spec) => {
    order.push(`first ${spec.model}`);
    return 'opened';
  });
  s.on('open-spec', async () => {
    await new Promise((r) => setTimeout(r, 5));
    order.push('second');
    return 'later';
  });
  const results = await s.emit('open-spec', { model: 'Ridge' });
  assert.deepEqual(order, ['first Ridge', 'second']);
  assert.deepEqual(results, ['opened', 'later']);
});

test('a listener that throws makes the emit reject, after every listener was called', async () => {
  const s = createStore({});
  let called = false;
  s.on('open-spec', () => {
    throw new Error('load data first');
  });
  s.on('open-spec', () => {
    called = true;
  });
  await assert.rejects(s.emit('open-spec', {}), /load data first/);
  assert.ok(called);
});

test('on returns an unsubscribe function; an event nobody listens to resolves to []', async () => {
  const s = createStore({ busy: false });
  let n = 0;
  const off = s.on('busy-changed', () => n++);
  await s.set('busy', true);
  off();
  await s.set('busy', false);
  assert.equal(n, 1);
  assert.deepEqual(await s.emit('nobody-listens'), []);
});

test('the page store holds the values its header lists', () => {
  const header = source.slice(0, source.indexOf('export function'));
  for (const key of ['catalog', 'data', 'busy', 'follow-up', 'restoring', 'status', 'spec', 'search-block', 'spec-text', 'task', 'result', 'model']) {
    assert.doesNotThrow(() => store.get(key), key);
    assert.match(header, new RegExp(`//   ${key} `), `store.js documents ${key}`);
  }
});

test('catchUp: an area set up late gets the values set since start-up (in store order) and the held events, once', async () => {
  const s = createStore({ data: null, busy: false, spec: null, model: null });
  s.hold('run-finished');
  await s.set('spec', { v: 1 });
  await s.set('data', { name: 'iris.csv' });
  await s.emit('run-finished', { kind: 'cv', n: 1 });
  await s.emit('run-finished', { kind: 'cv', n: 2 });
  await s.emit('cancel'); // not held: a late area does not see it
  const seen = [];
  await s.catchUp(() => {
    for (const ev of ['spec-changed', 'data-changed', 'busy-changed', 'model-changed', 'run-finished', 'cancel']) s.on(ev, (d) => seen.push([ev, d]));
  });
  // data before spec (the store's order), busy and model untouched, then the runs in order.
  assert.deepEqual(seen, [['data-changed', { name: 'iris.csv' }], ['spec-changed', { v: 1 }], ['run-finished', { kind: 'cv', n: 1 }], ['run-finished', { kind: 'cv', n: 2 }]]);
  s.release();
  seen.length = 0;
  await s.emit('run-finished', { kind: 'fit' });
  assert.deepEqual(seen, [['run-finished', { kind: 'fit' }]], 'after release an event reaches the listener once, as usual');
  await s.catchUp(() => {});
  assert.equal(seen.length, 1, 'a later catchUp replays nothing to listeners added outside it');
});
