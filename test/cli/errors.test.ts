/**
 * main() maps every failure once: a PpkgError's category picks the exit
 * code, stderr says the message and then the advice, never a stack; anything
 * else is an "unexpected error" with its message only (no object dump that
 * could hold a secret).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { PpkgError, type ErrorCategory } from '../../server/src/errors';
import { LOADERS } from '../../server/src/cli/commands';
import type { CliIO, CommandRunner } from '../../server/src/cli/io';
import { exitCodeOf, main } from '../../server/src/cli/main';
import { COMMANDS } from '../../server/src/cli/registry';

const loaders = LOADERS as Record<string, () => Promise<CommandRunner>>;
const original = loaders.validate!;
after(() => {
  loaders.validate = original;
});

/** Runs `ppkg validate` with a command that throws `thrown`. */
async function failing(thrown: unknown): Promise<{ code: number; out: string; err: string }> {
  loaders.validate = async () => async () => {
    throw thrown;
  };
  let out = '';
  let err = '';
  const io: CliIO = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: process.cwd(), env: {} };
  try {
    return { code: await main(['validate', 'x.ppkg.json'], io), out, err };
  } finally {
    loaders.validate = original;
  }
}

test('exit codes by category: project 1 (2 where 1 means something else), everything else 2', () => {
  const expected: Record<ErrorCategory, number> = { project: 1, usage: 2, io: 2, tool: 2, tenant: 2, cancelled: 2 };
  for (const [category, code] of Object.entries(expected) as [ErrorCategory, number][]) {
    assert.equal(exitCodeOf(new PpkgError(category, 'x'), COMMANDS.build), code, category);
  }
  assert.equal(exitCodeOf(new PpkgError('project', 'x'), COMMANDS.diff), 2, 'diff: 1 means the two differ');
  assert.equal(exitCodeOf(new PpkgError('project', 'x'), COMMANDS.token), 2, 'token: 1 means a tenant check failed');
});

test('a PpkgError: the message, then each advice line; no stack', async () => {
  const r = await failing(new PpkgError('tenant', 'Entra ID refused.\nSecond line.', { code: 'AADSTS1', advice: ['Do this.', 'Then that.'] }));
  assert.equal(r.code, 2);
  assert.equal(r.err, 'ppkg validate: Entra ID refused.\nSecond line.\nDo this.\nThen that.\n');
  assert.equal(r.out, '');
  assert.equal((await failing(new PpkgError('project', 'The project is wrong.'))).code, 1);
});

test('anything else: "unexpected error" with the message only, never the object or its stack', async () => {
  const secret = 'SENTINEL-ERROR-SECRET-7d1';
  const bug = new TypeError('x is not a function');
  Object.assign(bug, { token: secret });
  const r = await failing(bug);
  assert.equal(r.code, 2);
  assert.equal(r.err, 'ppkg validate: unexpected error (please report it): x is not a function\n');
  const thing = await failing({ message: 'an object', token: secret });
  assert.equal(thing.code, 2);
  assert.match(thing.err, /^ppkg validate: unexpected error \(please report it\): /);
  for (const x of [r, thing]) {
    assert.ok(!x.err.includes(secret), 'no field of the thrown value is printed');
    assert.doesNotMatch(x.err, /\n\s+at /, 'no stack');
  }
});

test('a file problem no command worded is said in words (io, exit 2)', async () => {
  const e = Object.assign(new Error("ENOENT: no such file or directory, open '/nowhere/x'"), { code: 'ENOENT', syscall: 'open', path: '/nowhere/x' });
  const r = await failing(e);
  assert.equal(r.code, 2);
  assert.match(r.err, /^ppkg validate: .*\/nowhere\/x/);
  assert.doesNotMatch(r.err, /ENOENT/);
});
