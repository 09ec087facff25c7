import type { Range } from '../../server/src/model/positions';
import { LineIndex } from '../../server/src/model/positions';

/** A valid project with every section, as text. Tests change one thing at a time. */
export function validProject(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'CTS Desktops',
    id: '{6f1c2a3e-8d4b-4e7a-9c51-2b7d0e4f9a13}',
    version: '1.0',
    owner: 'ITAdmin',
    rank: 0,
    device: { name: 'CTS-%SERIAL%' },
    network: { wifi: { ssid: 'CTS-Setup', security: 'WPA2-Personal', key: { secret: 'wifi-key' } } },
    account: {
      entra: { tokenExpiry: '2027-03-01', token: { secret: 'bulk-token' }, issuedAt: '2026-11-20T08:00:00Z' },
      localAdmin: { user: 'ctsadmin', password: { secret: 'local-admin-password' } },
    },
    ...overrides,
  };
}

/** The clock every test uses: 2026-11-26 noon UTC. */
export const TEST_NOW = new Date('2026-11-26T12:00:00Z');
export const now = () => TEST_NOW;

/** The range of the n-th occurrence of `needle` in `text`. */
export function rangeOf(text: string, needle: string, occurrence = 0, inner?: { start: number; length: number }): Range {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" (occurrence ${occurrence}) not in text`);
  }
  const lines = new LineIndex(text);
  const start = index + (inner?.start ?? 0);
  return lines.rangeOf(start, inner?.length ?? needle.length);
}
