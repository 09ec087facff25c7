/**
 * Reading whole files on worker threads (`WimArchive.digestFile`,
 * blobDigest.ts, blobPool.ts): the same bytes, SHA-256 and errors as the
 * reader on its own thread, for files several chunk batches long, stored
 * compressed and raw; written only into new files; cancellable; and a
 * damaged file refused with the reader's own error, across the thread.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { writeWim, type WimFileEntry } from '../../server/src/package/wim';
import { openWim, openWimBuffer, WimReadError, type WimArchive, type WimEntry } from '../../server/src/package/wim/read';
import { WORKER_MIN_BYTES } from '../../server/src/package/wim/read/archive';
import { DigestCancelled, digestBlob, type BlobDigestJob } from '../../server/src/package/wim/read/blobDigest';
import { createBlobPool } from '../../server/src/package/wim/read/blobPool';
import { pattern } from '../support/bytes';

const work = mkdtempSync(join(tmpdir(), 'ppkg-wim-parallel-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Text that compresses, with a counter so that no two chunks are alike. */
function records(size: number): Buffer {
  let s = '';
  for (let i = 0; s.length < size; i++) s += `HKLM\\Software\\Contoso\\Setting${i % 97} = ${i * 7}; msiexec /i app.msi /qn\r\n`;
  return Buffer.from(s).subarray(0, size);
}

const FILES: Record<string, Buffer> = {
  // ~3.2 batches of 1 MiB, mostly compressible: compressed chunks plus a remainder chunk.
  'DataAsset/1/0_a/office.msi': Buffer.concat([records(2_400_000), pattern(900_000, 7), records(123_457)]),
  // Incompressible: every chunk stored raw inside a compressed resource.
  'DataAsset/1/1_b/agent.exe': pattern(2_500_000, 11),
  // Below the worker threshold: read on the calling thread.
  'DataAsset/1/2_c/small.dll': records(70_000),
  'Multivariant/0/Prov/RunTime.xml': records(5000),
};

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function makePackage(name: string): Promise<string> {
  const entries: WimFileEntry[] = Object.entries(FILES).map(([path, data], i) => {
    const src = join(work, `${name}-src-${i}`);
    writeFileSync(src, data);
    return { path, source: { kind: 'file', path: src } };
  });
  const out = join(work, `${name}.ppkg`);
  await writeWim(out, entries, { properties: [['NAME', name]], timestamp: new Date('2026-02-03T04:05:06Z'), guid: Buffer.alloc(16, 1) });
  return out;
}

async function withWim<T>(file: string, fn: (wim: WimArchive, byPath: (p: string) => WimEntry) => Promise<T>): Promise<T> {
  const wim = await openWim(file);
  try {
    return await fn(wim, (p) => wim.entries.find((e) => e.path === p)!);
  } finally {
    await wim.close();
  }
}

function jobFor(wim: WimArchive, file: string, e: WimEntry, extra: Partial<BlobDigestJob> = {}): BlobDigestJob {
  // The blob's resource header, as the archive hands it to a worker.
  const blobs = (wim as unknown as { blobs: Map<string, { resource: BlobDigestJob['resource'] }> }).blobs;
  return {
    packageFd: (wim as unknown as { ctx: { src: { fd: number } } }).ctx.src.fd,
    packageSize: readFileSync(file).length,
    chunkSize: wim.header.chunkSize,
    resource: blobs.get(e.sha1!)!.resource,
    sha1: e.sha1!,
    label: `WIM file ${JSON.stringify(e.path)}`,
    ...extra,
  };
}

test('digestFile gives every file its size and SHA-256, and writes the same bytes, on workers and on the calling thread', async () => {
  const file = await makePackage('digest');
  assert.ok(FILES['DataAsset/1/0_a/office.msi']!.length >= WORKER_MIN_BYTES && FILES['DataAsset/1/2_c/small.dll']!.length < WORKER_MIN_BYTES);
  const paths = Object.keys(FILES);
  await withWim(file, async (wim, byPath) => {
    // Asked together, as inspect and import ask: the large ones run side by side.
    const got = await Promise.all(paths.map((p, i) => wim.digestFile(byPath(p), { writeTo: join(work, `digest-out-${i}`) })));
    paths.forEach((p, i) => {
      assert.deepEqual(got[i], { size: FILES[p]!.length, sha256: sha256(FILES[p]!) }, p);
      assert.ok(readFileSync(join(work, `digest-out-${i}`)).equals(FILES[p]!), `${p}: written bytes`);
    });
  });
  // The same package held in memory is read on this thread: the same answers.
  const wim = await openWimBuffer(readFileSync(file));
  for (const p of paths) assert.deepEqual(await wim.digestFile(wim.entries.find((e) => e.path === p)!), { size: FILES[p]!.length, sha256: sha256(FILES[p]!) });
  await wim.close();
});

test('digestBlob reads a compressed resource batch by batch, and refuses an existing target without touching it', async () => {
  const file = await makePackage('blob');
  await withWim(file, async (wim, byPath) => {
    for (const p of ['DataAsset/1/0_a/office.msi', 'DataAsset/1/1_b/agent.exe']) {
      const target = join(work, `blob-${p.length}`);
      assert.deepEqual(digestBlob(jobFor(wim, file, byPath(p), { writeTo: target })), { size: FILES[p]!.length, sha256: sha256(FILES[p]!) });
      assert.ok(readFileSync(target).equals(FILES[p]!));
      writeFileSync(target, 'kept');
      assert.throws(() => digestBlob(jobFor(wim, file, byPath(p), { writeTo: target })), { code: 'EEXIST' });
      assert.equal(readFileSync(target, 'utf8'), 'kept');
    }
  });
});

test('a damaged or cut package is refused with the reader’s error, also from a worker thread', async () => {
  const file = await makePackage('damaged');
  const data = readFileSync(file);
  // Flip a byte well inside the compressed data of the large file: a decoding error or a SHA-1 mismatch.
  const damaged = join(work, 'damaged-copy.ppkg');
  await withWim(file, async (wim, byPath) => {
    const res = jobFor(wim, file, byPath('DataAsset/1/0_a/office.msi')).resource;
    const copy = Buffer.from(data);
    copy[res.offset + Math.floor(res.sizeInWim / 2)]! ^= 0x5a;
    writeFileSync(damaged, copy);
  });
  await withWim(damaged, async (wim, byPath) => {
    const err = await wim.digestFile(byPath('DataAsset/1/0_a/office.msi')).then(
      () => assert.fail('a damaged file was read'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WimReadError, `not a WimReadError: ${String(err)}`);
    assert.ok(['corrupt', 'hash-mismatch'].includes(err.code), err.code);
    assert.match(err.message, /office\.msi/);
    // The other files are still read.
    assert.equal((await wim.digestFile(byPath('DataAsset/1/1_b/agent.exe'))).size, FILES['DataAsset/1/1_b/agent.exe']!.length);
  });
  // Cut after the archive was opened: the worker's reads end early.
  const cut = join(work, 'cut.ppkg');
  writeFileSync(cut, data);
  await withWim(cut, async (wim, byPath) => {
    const e = byPath('DataAsset/1/1_b/agent.exe');
    const res = jobFor(wim, cut, e).resource;
    truncateSync(cut, res.offset + 1000);
    await assert.rejects(wim.digestFile(e), (err: unknown) => err instanceof WimReadError && err.code === 'truncated');
  });
});

test('a cancelled digest stops: a queued job never starts, a running one ends with its files closed', async () => {
  const file = await makePackage('cancel');
  await withWim(file, async (wim, byPath) => {
    const e = byPath('DataAsset/1/0_a/office.msi');
    // On the calling thread: cancelled after the first batch.
    let asked = 0;
    const target = join(work, 'cancel-direct');
    assert.throws(() => digestBlob(jobFor(wim, file, e, { writeTo: target }), undefined, () => ++asked > 1), DigestCancelled);
    rmSync(target); // closed: removable at once, also on Windows

    const pool = createBlobPool(1)!;
    try {
      const reason = new Error('the admin cancelled');
      const before = new AbortController();
      before.abort(reason);
      await assert.rejects(pool.digest(jobFor(wim, file, e), before.signal), (err) => err === reason);
      // Aborted while running: the job sees the shared flag within a batch.
      const during = new AbortController();
      const running = pool.digest(jobFor(wim, file, e, { writeTo: join(work, 'cancel-pool') }), during.signal);
      setImmediate(() => during.abort(reason));
      await running.then(
        (d) => assert.equal(d.size, FILES[e.path]!.length), // finished before the abort landed: also correct
        (err) => assert.equal(err, reason),
      );
      // The worker is free again and answers the next job.
      assert.equal((await pool.digest(jobFor(wim, file, byPath('DataAsset/1/1_b/agent.exe')))).sha256, sha256(FILES['DataAsset/1/1_b/agent.exe']!));
      // Closed while a job runs: the job is stopped (or has finished) before close() returns, never cut off with its files open.
      const closing = join(work, 'cancel-close');
      const cut = pool.digest(jobFor(wim, file, e, { writeTo: closing }));
      cut.catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      await pool.close();
      await cut.then(
        (d) => assert.equal(d.size, FILES[e.path]!.length),
        (err: Error) => assert.match(err.message, /closed/),
      );
      rmSync(closing, { force: true });
    } finally {
      await pool.close();
    }
  });
});

test('the pool runs queued jobs largest first, and a closed pool takes no more', async () => {
  const file = await makePackage('pool');
  await withWim(file, async (wim, byPath) => {
    const pool = createBlobPool(1)!;
    const order: string[] = [];
    const small = FILES['DataAsset/1/2_c/small.dll']!;
    const jobs = ['DataAsset/1/2_c/small.dll', 'DataAsset/1/1_b/agent.exe', 'DataAsset/1/0_a/office.msi'].map((p) =>
      pool.digest(jobFor(wim, file, byPath(p))).then((d) => {
        order.push(p);
        return d;
      }),
    );
    const got = await Promise.all(jobs);
    assert.equal(got[0]!.sha256, sha256(small));
    // One worker, jobs queued in the same turn: the largest (office.msi, 3.4 MB) first, the small one last.
    assert.deepEqual(order, ['DataAsset/1/0_a/office.msi', 'DataAsset/1/1_b/agent.exe', 'DataAsset/1/2_c/small.dll']);
    await pool.close();
    await assert.rejects(pool.digest(jobFor(wim, file, byPath('DataAsset/1/2_c/small.dll'))), /closed/);
  });
});

test('a thread that dies or cannot start fails only its job, with the reason', async () => {
  const file = await makePackage('dying');
  await withWim(file, async (wim, byPath) => {
    const job = jobFor(wim, file, byPath('DataAsset/1/1_b/agent.exe'));
    let made = 0;
    const dies = createBlobPool(1, () => {
      made++;
      return new Worker("require('node:worker_threads').parentPort.on('message', () => process.exit(3))", { eval: true });
    })!;
    try {
      await assert.rejects(dies.digest(job), /stopped unexpectedly \(exit code 3\)/);
      // The next job gets a new thread, and fails the same way, on its own.
      await assert.rejects(dies.digest(job), /exit code 3/);
      assert.equal(made, 2);
    } finally {
      await dies.close();
    }
    const cannot = createBlobPool(1, () => {
      throw new Error('no threads here');
    })!;
    await assert.rejects(cannot.digest(job), /no threads here/);
    await cannot.close();
  });
});

test('a SHA-256 the package records stands in for the SHA-1 only when the content matches it', async () => {
  const file = await makePackage('known');
  await withWim(file, async (wim, byPath) => {
    const e = byPath('DataAsset/1/0_a/office.msi');
    const right = sha256(FILES[e.path]!);
    const wrong = '0'.repeat(64);
    // Matching content is verified by the recorded SHA-256: the SHA-1 pass is skipped, so not even a
    // wrong blob-table SHA-1 is looked at.
    assert.deepEqual(digestBlob(jobFor(wim, file, e, { knownSha256: right, sha1: 'f'.repeat(40) })), { size: FILES[e.path]!.length, sha256: right });
    // Content that does not match the record is held to its SHA-1: intact, it is read and its real
    // SHA-256 given (the caller reports the difference); with a SHA-1 that fails, it is damaged.
    assert.deepEqual(digestBlob(jobFor(wim, file, e, { knownSha256: wrong })), { size: FILES[e.path]!.length, sha256: right });
    assert.throws(
      () => digestBlob(jobFor(wim, file, e, { knownSha256: wrong, sha1: 'f'.repeat(40) })),
      (err: unknown) => err instanceof WimReadError && err.code === 'hash-mismatch',
    );
    // The same through the archive, on a worker.
    assert.equal((await wim.digestFile(e, { knownSha256: wrong })).sha256, right);
    assert.equal((await wim.digestFile(e, { knownSha256: right })).sha256, right);
  });
});

test('workers read the file that was opened, even once its path names another file', async () => {
  const file = await makePackage('moved');
  await withWim(file, async (wim, byPath) => {
    // Replaced under the same name after opening (as a download or a copy over it would do).
    rmSync(file);
    writeFileSync(file, Buffer.alloc(4096, 0x41));
    const e = byPath('DataAsset/1/1_b/agent.exe');
    assert.deepEqual(await wim.digestFile(e), { size: FILES[e.path]!.length, sha256: sha256(FILES[e.path]!) });
  });
});
