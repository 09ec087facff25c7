/**
 * How deep a text nests, found without recursion. vscode-json-languageservice
 * parses, formats and walks recursively: a file nested 10,000 levels deep
 * overflows its stack, and formatting one builds indentation quadratic in the
 * depth (gigabytes). A project needs a handful of levels, so the features
 * built on the JSON service answer empty past this depth.
 */
export const MAX_FEATURE_DEPTH = 128;

/** True when `text` opens more than `limit` objects or arrays inside each other (strings and comments skipped). */
export function nestsDeeperThan(text: string, limit = MAX_FEATURE_DEPTH): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      if (depth > 0) depth--;
    } else if (c === 34 /* " */) {
      // To the closing quote; an unterminated string ends at the line end, as the scanner reads it.
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i++;
        else if (d === 34 || d === 10 || d === 13) break;
      }
    } else if (c === 47 /* / */) {
      const next = text.charCodeAt(i + 1);
      if (next === 47) {
        while (i < n && text.charCodeAt(i) !== 10) i++;
      } else if (next === 42 /* * */) {
        const end = text.indexOf('*/', i + 2);
        i = end < 0 ? n : end + 1;
      }
    }
  }
  return false;
}
