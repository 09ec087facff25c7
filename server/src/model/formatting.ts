import type { FormattingOptions } from 'jsonc-parser';

/** Indentation and line ends as the file already uses them, so edits ppkg makes look like the admin's own. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indents = text
    .split(/\r?\n/)
    .map((l) => /^[ \t]+(?=\S)/.exec(l)?.[0])
    .filter((x): x is string => !!x);
  // With tabs, jsonc-parser indents one tab per level whatever the tab size.
  if (indents.some((i) => i.startsWith('\t'))) return { insertSpaces: false, tabSize: 4, eol };
  const sizes = indents.map((i) => i.length).filter((n) => n > 0);
  const tabSize = sizes.length ? Math.min(...sizes) : 2;
  return { insertSpaces: true, tabSize: Math.min(Math.max(tabSize, 1), 8), eol };
}
