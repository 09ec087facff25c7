/**
 * Finding the project files of a workspace: the language server's
 * **Validate Workspace** and the bulk-token accounts view (which projects
 * record which package_ account) both walk folders for them.
 */
import { promises as fs, type Dirent } from 'node:fs';
import * as path from 'node:path';

/** Finds `*.ppkg.json` files under the folders (recursively; skips node_modules and dot folders). */
export async function findProjectFiles(folders: string[], maxFiles = 10_000): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > 20 || out.length >= maxFiles) return;
    let entries: Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
        await walk(full, depth + 1);
      } else if (e.isFile() && e.name.toLowerCase().endsWith('.ppkg.json')) {
        out.push(full);
      }
    }
  };
  for (const f of folders) {
    const stat = await fs.stat(f).catch(() => undefined);
    if (!stat) throw new Error(`Folder not found: ${f}`);
    if (stat.isFile()) out.push(f);
    else await walk(f, 0);
  }
  return [...new Set(out)].sort();
}
