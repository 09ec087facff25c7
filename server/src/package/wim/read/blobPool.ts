/**
 * Worker threads that read whole blobs in parallel (`digestBlob` on each).
 * A file's SHA-1 and SHA-256 are sequential over its bytes, so the unit of
 * parallel work is a blob: a package's installers are read side by side,
 * one per core, largest first so that the last to finish is a small one.
 *
 * The pool is the archive's, started on the first job and ended with
 * `close()`; idle workers do not keep the process alive. When no worker
 * can be started (no worker script beside the bundle), `createBlobPool`
 * returns undefined and the archive reads on its own thread instead.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

import type { BlobDigest, BlobDigestJob } from './blobDigest';
import type { BlobWorkerReply, BlobWorkerRequest } from './blobWorker';
import { WimReadError, type WimReadErrorCode } from './errors';

/** More threads than this only contend for the disk. */
const MAX_WORKERS = 4;

/**
 * The worker's entry: the bundle beside dist/cli.js (and dist/client.js,
 * dist/server.js); or, when the engine runs from its TypeScript source (the
 * tests, under tsx), the source file, through tsx's require hook, since a
 * worker does not inherit the loader hooks of the thread that starts it.
 */
function startWorker(): (() => Worker) | undefined {
  const bundled = join(__dirname, 'wimBlobWorker.js');
  if (existsSync(bundled)) return () => new Worker(bundled);
  const source = join(__dirname, 'blobWorker.ts');
  if (existsSync(source)) return () => new Worker(`require('tsx/cjs'); require(${JSON.stringify(source)});`, { eval: true });
  return undefined;
}

interface Pending {
  job: BlobDigestJob;
  signal?: AbortSignal;
  cancel: SharedArrayBuffer;
  resolve: (d: BlobDigest) => void;
  reject: (err: Error) => void;
}

export interface BlobPool {
  /** Rejects with `signal.reason` once cancelled: a queued job never starts, a running one stops within a batch. */
  digest(job: BlobDigestJob, signal?: AbortSignal): Promise<BlobDigest>;
  /** Ends every worker once its running job has stopped; jobs not finished are rejected. */
  close(): Promise<void>;
}

const CLOSED = () => new Error('WIM archive is closed');
const cancelledBy = (signal?: AbortSignal): Error => (signal?.reason as Error | undefined) ?? new Error('aborted');

function rebuildError(e: Extract<BlobWorkerReply, { error: unknown }>['error']): Error {
  if (e.wim) return new WimReadError(e.code as WimReadErrorCode, e.message);
  // A file-system error (the target exists, the disk is full): the fields callers read.
  return Object.assign(new Error(e.message), { code: e.code, syscall: e.syscall, path: e.path });
}

/** `start` makes one worker; tests pass their own to make threads that die. */
export function createBlobPool(threads = Math.min(availableParallelism(), MAX_WORKERS), start = startWorker()): BlobPool | undefined {
  if (!start || threads < 1) return undefined;
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  let started = 0;
  let nextId = 1;
  let closed = false;
  let dispatchScheduled = false;

  /** Called when a worker's running job has answered or the worker died (close() waits on these). */
  const onFree = new Map<Worker, () => void>();
  const freed = (w: Worker) => {
    onFree.get(w)?.();
    onFree.delete(w);
  };

  const spawn = (): Worker => {
    const w = start();
    started++;
    w.on('message', (reply: BlobWorkerReply) => {
      const p = busy.get(w);
      busy.delete(w);
      if (p) {
        if ('error' in reply) p.reject(rebuildError(reply.error));
        else if ('cancelled' in reply) p.reject(closed ? CLOSED() : cancelledBy(p.signal));
        else p.resolve(reply.digest);
      }
      w.unref();
      idle.push(w);
      freed(w);
      dispatch();
    });
    // A thread that dies (out of memory, a script that failed to load) fails only the job it was running.
    let failure: Error | undefined;
    w.on('error', (err) => (failure = err));
    w.on('exit', (code) => {
      busy.get(w)?.reject(failure ?? new Error(`a WIM reader thread stopped unexpectedly (exit code ${code})`));
      busy.delete(w);
      started--;
      const at = idle.indexOf(w);
      if (at >= 0) idle.splice(at, 1);
      freed(w);
      dispatch();
    });
    return w;
  };

  const dispatch = () => {
    while (!closed && queue.length > 0) {
      let w = idle.pop();
      if (!w && started < threads) {
        try {
          w = spawn();
        } catch (err) {
          // No thread can start here (a resource limit): the job fails with the reason instead of crashing the process.
          queue.shift()!.reject(err as Error);
          continue;
        }
      }
      if (!w) return;
      const p = queue.shift()!;
      if (p.signal?.aborted) {
        p.reject(cancelledBy(p.signal));
        idle.push(w);
        continue;
      }
      busy.set(w, p);
      w.ref();
      w.postMessage({ id: nextId++, job: p.job, cancel: p.cancel } satisfies BlobWorkerRequest);
    }
  };

  return {
    digest(job, signal) {
      if (closed) return Promise.reject(CLOSED());
      return new Promise((resolve, reject) => {
        const cancel = new SharedArrayBuffer(4);
        signal?.addEventListener('abort', () => Atomics.store(new Int32Array(cancel), 0, 1), { once: true });
        // Largest first: jobs queued in the same turn are dispatched together, sorted.
        const at = queue.findIndex((q) => q.job.resource.uncompressedSize < job.resource.uncompressedSize);
        queue.splice(at < 0 ? queue.length : at, 0, { job, signal, cancel, resolve, reject });
        if (!dispatchScheduled) {
          dispatchScheduled = true;
          setImmediate(() => {
            dispatchScheduled = false;
            dispatch();
          });
        }
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const p of queue.splice(0)) p.reject(CLOSED());
      // A running job is asked to stop and its answer awaited before its thread ends: it closes its
      // files within a batch, where a terminated thread would leave them open.
      await Promise.all(
        [...busy].map(([w, p]) => {
          Atomics.store(new Int32Array(p.cancel), 0, 1);
          return new Promise<void>((resolve) => onFree.set(w, resolve));
        }),
      );
      await Promise.all(idle.splice(0).map((w) => w.terminate()));
    },
  };
}
