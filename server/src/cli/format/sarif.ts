import { RULE_CATALOG, ruleInfo } from '../../validation/catalog';
import type { PpkgDiagnostic, Severity } from '../../validation/diagnostic';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note' };

/**
 * SARIF 2.1.0 for code scanning. Locations are relative to the repository
 * root (%SRCROOT%); SARIF lines and columns are 1-based, columns in UTF-16
 * code units, which is what our 0-based LSP characters are.
 */
export function formatSarif(results: { file: string; diagnostics: PpkgDiagnostic[] }[], version: string): string {
  const used = new Set(results.flatMap((r) => r.diagnostics.map((d) => d.code)));
  const rules = RULE_CATALOG.filter((r) => used.has(r.code));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ppkg',
            version,
            semanticVersion: version,
            rules: rules.map((r) => ({
              id: r.code,
              name: r.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')),
              shortDescription: { text: r.title },
              fullDescription: { text: r.reason },
              help: { text: `${r.reason} See the rule table in the ppkg README.` },
              defaultConfiguration: { level: LEVEL[r.severity] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The folder ppkg validate ran in.' } } },
        results: results.flatMap((r) =>
          r.diagnostics.map((d) => ({
            ruleId: d.code,
            ...(ruleInfo(d.code) ? { ruleIndex: rules.findIndex((x) => x.code === d.code) } : {}),
            level: LEVEL[d.severity],
            message: { text: d.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: encodeURI(r.file.replace(/\\/g, '/')), uriBaseId: '%SRCROOT%' },
                  region: {
                    startLine: d.range.start.line + 1,
                    startColumn: d.range.start.character + 1,
                    endLine: d.range.end.line + 1,
                    endColumn: d.range.end.character + 1,
                  },
                },
              },
            ],
          })),
        ),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
