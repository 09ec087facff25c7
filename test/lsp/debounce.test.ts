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
  assert.equal(d.delay('a'), MIN_DELAY_MS, 'a validation cheaper than the minimum pause adds nothing');
  for (let i = 0; i < 30; i++) d.record('b', 120);
  assert.equal(d.delay('b'), Math.round(COST_FACTOR * 120), 'an expensive validation waits at least as long as it takes');
  assert.equal(d.delay('a'), MIN_DELAY_MS, 'documents do not share a cost');
  for (let i = 0; i < 30; i++) d.record('c', 10_000);
  assert.equal(d.delay('c'), MAX_DELAY_MS);
});

test('one slow run does not stick: the moving average comes back down', () => {
  const d = new Debouncer();
  for (let i = 0; i < 10; i++) d.record('a', 40);
  d.record('a', 400);
  const spiked = d.delay('a');
  assert.ok(spiked > COST_FACTOR * 100, `${spiked}`);
  for (let i = 0; i < 12; i++) d.record('a', 40);
  assert.ok(d.delay('a') < COST_FACTOR * 45, `${d.delay('a')}`);
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
