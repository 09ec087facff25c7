/**
 * The validation debounce follows what validating a document costs
 * (languageService/debounce.ts): short for a cheap document, longer for an
 * expensive one, bounded both ways, per document, and one pending run per
 * document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COST_FACTOR, Debouncer, MAX_DELAY_MS, MIN_DELAY_MS } from '../../server/src/languageService/debounce';

test('the delay starts at the minimum and follows the recent cost of each document', () => {
  const d = new Debouncer();
  assert.equal(d.delay('a'), MIN_DELAY_MS);
  d.record('a', 1);
  assert.equal(d.delay('a'), Math.round(MIN_DELAY_MS + COST_FACTOR * 1));
  for (let i = 0; i < 30; i++) d.record('b', 120);
  assert.equal(d.delay('b'), Math.round(MIN_DELAY_MS + COST_FACTOR * 120));
  assert.equal(d.delay('a'), Math.round(MIN_DELAY_MS + COST_FACTOR * 1), 'documents do not share a cost');
  for (let i = 0; i < 30; i++) d.record('c', 10_000);
  assert.equal(d.delay('c'), MAX_DELAY_MS);
});

test('one slow run does not stick: the moving average comes back down', () => {
  const d = new Debouncer();
  for (let i = 0; i < 10; i++) d.record('a', 2);
  d.record('a', 300);
  const spiked = d.delay('a');
  assert.ok(spiked > MIN_DELAY_MS + 2 * COST_FACTOR);
  for (let i = 0; i < 10; i++) d.record('a', 2);
  assert.ok(d.delay('a') < MIN_DELAY_MS + 5 * COST_FACTOR, `${d.delay('a')}`);
});

test('schedule replaces a pending run; forget cancels it', async () => {
  const d = new Debouncer();
  const runs: string[] = [];
  d.schedule('a', 20, () => runs.push('first'));
  d.schedule('a', 20, () => runs.push('second'));
  d.schedule('b', 5, () => runs.push('b'));
  d.schedule('c', 5, () => runs.push('c'));
  d.forget('c');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(runs, ['b', 'second']);
});
