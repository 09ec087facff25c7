/** One line of the benchmark table. */
import type { Timing } from './stats';

export interface Target {
  /** Ours/anchor must be at most this ratio (or, for absolute targets, ours at most this many ms or bytes). */
  max: number;
  kind: 'ratio' | 'ms' | 'bytes';
}

export interface Row {
  /** Which of the five benchmark groups (1–5). */
  group: number;
  name: string;
  /** e.g. "1.0 MB" or "500 files"; empty when not applicable. */
  size: string;
  ours?: Timing;
  anchor?: Timing;
  /** For size rows: bytes. */
  oursBytes?: number;
  anchorName?: string;
  ratio?: number;
  target?: Target;
  met?: boolean;
  /** Why a line is missing, or what it includes. */
  note?: string;
  /** Informational rows are not held against a target. */
  info?: boolean;
  skipped?: boolean;
}

export function ratioRow(r: Omit<Row, 'ratio' | 'met'>): Row {
  const row: Row = { ...r };
  if (r.ours && r.anchor) {
    row.ratio = r.ours.median / r.anchor.median;
    if (r.target?.kind === 'ratio') row.met = row.ratio <= r.target.max;
  } else if (r.ours && r.target?.kind === 'ms') {
    row.met = r.ours.median <= r.target.max;
  } else if (r.oursBytes !== undefined && r.target?.kind === 'bytes') {
    row.met = r.oursBytes <= r.target.max;
  }
  return row;
}

export function skippedRow(group: number, name: string, note: string, target?: Target): Row {
  return { group, name, size: '', note, skipped: true, target };
}
