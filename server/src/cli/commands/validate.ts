import { CliError, type CliIO } from '../io';
export async function run(_args: string[], _io: CliIO): Promise<number> {
  throw new CliError('ppkg validate is not available in this version yet.');
}
