/**
 * SHA-256 of large files on the machine's other core. Reading a package
 * keeps the main thread busy decompressing each file and checking its
 * SHA-1; the SHA-256 of the same bytes is computed beside it on a worker
 * thread. A piece is handed over without a copy when it owns its memory
 * (the reader allocates a fresh buffer per batch and does not touch it
 * again), else as a copy. Small files are hashed in place: a worker costs
 * more than it saves on them.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

/** Files at least this large are hashed on the worker. */
export const WORKER_HASH_MIN_BYTES = 16 * 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const open = new Map();
parentPort.on('message', (m) => {
  let h = open.get(m.id);
  if (!h) open.set(m.id, (h = createHash('sha256')));
  if (m.piece) h.update(new Uint8Array(m.piece));
  else {
    open.delete(m.id);
    parentPort.postMessage({ id: m.id, hex: h.digest('hex') });
  }
});
`;

let worker: Worker | undefined;
let broken = false;
let nextId = 1;
const waiting = new Map<number, { resolve: (hex: string) => void; reject: (err: Error) => void }>();

function getWorker(): Worker | undefined {
  if (broken) return undefined;
  if (worker) return worker;
  try {
    const w = new Worker(WORKER_SOURCE, { eval: true });
    w.on('message', (m: { id: number; hex: string }) => {
      waiting.get(m.id)?.resolve(m.hex);
      waiting.delete(m.id);
      if (!waiting.size) w.unref();
    });
    w.on('error', (err) => {
      broken = true;
      for (const p of waiting.values()) p.reject(err);
      waiting.clear();
    });
    w.unref();
    worker = w;
    return w;
  } catch {
    broken = true;
    return undefined;
  }
}

export interface Sha256 {
  update(piece: Buffer): void;
  /** Lower-case hex. */
  digest(): Promise<string>;
}

/**
 * A SHA-256 for a file of about `expectedBytes`. On the worker, each piece
 * is handed over and must not be used by the caller afterwards (its memory
 * moves to the worker when it owns it; otherwise a copy does).
 */
export function sha256For(expectedBytes: number): Sha256 {
  const w = expectedBytes >= WORKER_HASH_MIN_BYTES ? getWorker() : undefined;
  if (!w) {
    const local = createHash('sha256');
    return { update: (p) => void local.update(p), digest: async () => local.digest('hex') };
  }
  const id = nextId++;
  return {
    update(p) {
      const owns = p.byteOffset === 0 && p.byteLength === p.buffer.byteLength && p.byteLength >= 64 * 1024;
      const data = owns ? p.buffer : new Uint8Array(p).buffer;
      w.postMessage({ id, piece: data }, [data as ArrayBuffer]);
    },
    digest() {
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        w.ref();
        w.postMessage({ id });
      });
    },
  };
}
