import { CliError, type CliIO } from '../io';

// Placeholder until the `tokens` command lands; it refuses clearly instead of pretending.
export async function run(_args: string[], _io: CliIO): Promise<number> {
  throw new CliError('ppkg tokens is not available in this version yet.');
}
