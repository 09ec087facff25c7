/**
 * The module boundaries of docs/ARCHITECTURE.md ("May import"), checked by
 * dependency-cruiser over server/src and client/src. test/unit/architecture.test.ts
 * runs it in `npm test`; by hand: `npx depcruise server/src client/src`.
 *
 * Each row of the table is one rule, `<row>-may-import`, that forbids
 * importing any module of ours (server/src, client/src, schemas) or any npm
 * package the row does not list. Type-only imports count too: a type is a
 * dependency on the module that owns it. A change here is a change to the
 * table, and the other way round.
 */

// A row's own folder (or file) is always allowed to itself.
const SRC = '^server/src/';
const ours = '^(server/src|client/src|schemas)/';
const npmTypes = ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'];
const folder = (name) => `${SRC}${name}/`;
const file = (name) => `${SRC}${name.replace(/\./g, '\\.')}$`;
const npm = (name) => `(^|/)node_modules/${name}/`;

// Modules every engine row may import: the shared error base and the setting table (data).
const ERRORS = file('errors.ts');
const SETTINGS = folder('settings');
const SCHEMAS = '^schemas/';

/**
 * One row of the table: modules under `from` may import only `may` (regular
 * expressions on resolved paths) of ours and only `npm` packages.
 */
function row(name, from, may, npmPackages, comment) {
  return [
    {
      name: `${name}-may-import`,
      severity: 'error',
      comment,
      from: { path: from.path ?? from, pathNot: from.pathNot },
      to: { path: ours, pathNot: [from.path ?? from, ...may] },
    },
    {
      name: `${name}-may-import-npm`,
      severity: 'error',
      comment: `${name}: npm packages allowed by docs/ARCHITECTURE.md: ${npmPackages.join(', ') || 'none'}.`,
      from: { path: from.path ?? from, pathNot: from.pathNot },
      to: { dependencyTypes: npmTypes, pathNot: npmPackages.map(npm) },
    },
  ];
}

/** A violation that exists and is reported, until it is fixed. */
function known(rule, from, to) {
  return { type: 'dependency', from, to, rule: { name: rule, severity: 'error' } };
}
/** A two-module cycle (a imports b imports a) that exists and is reported. */
function knownCycle(a, b) {
  return {
    type: 'cycle',
    from: a,
    to: b,
    rule: { name: 'no-circular', severity: 'error' },
    cycle: [
      { name: b, dependencyTypes: ['local', 'import'] },
      { name: a, dependencyTypes: ['local', 'import'] },
    ],
  };
}

module.exports = {
  forbidden: [
    ...row('settings', folder('settings'), [], [], 'settings/: the setting table, data only; it imports nothing of ours.'),
    ...row('fs', folder('fs'), [], [], 'fs/: the atomic writer, on Node alone.'),
    ...row('errors', file('errors.ts'), [file('validation/diagnostic.ts')], [], 'errors.ts: the error base; only the diagnostic type it carries.'),
    ...row('model', folder('model'), [SETTINGS, ERRORS, SCHEMAS], ['jsonc-parser'], 'model/: parsing and project types, on the setting table.'),
    ...row(
      'compile',
      folder('compile'),
      [folder('model'), SETTINGS, ERRORS],
      ['xmlbuilder2'],
      'compile/: project to XML. It owns the WIM entry types; it never imports package/ (or anything above it).',
    ),
    ...row(
      'validation',
      folder('validation'),
      [folder('model'), folder('compile'), SETTINGS, ERRORS, SCHEMAS],
      ['ajv', 'jsonc-parser', 'node-forge'],
      'validation/: asks compile what the native build refuses; nothing above it.',
    ),
    ...row(
      'package',
      folder('package'),
      [folder('compile'), folder('validation'), folder('model'), folder('fs'), SETTINGS, ERRORS],
      [],
      'package/: the build (validates, compiles, writes the WIM) and the WIM reader.',
    ),
    ...row(
      'inspect',
      folder('inspect'),
      [folder('package'), folder('compile'), folder('validation'), folder('model'), SETTINGS, ERRORS],
      ['node-forge'],
      'inspect/: reads a package (WIM reader) back into settings.',
    ),
    ...row(
      'import',
      folder('import'),
      [folder('inspect'), folder('diff'), folder('package'), folder('compile'), folder('validation'), folder('model'), SETTINGS, ERRORS, SCHEMAS],
      ['jsonc-parser', 'xmlbuilder2'],
      'import/: customizations.xml or a package to a project file (diff/ checks that the project builds the same package).',
    ),
    ...row(
      'diff',
      folder('diff'),
      [folder('inspect'), folder('package'), folder('compile'), folder('validation'), folder('model'), SETTINGS, ERRORS],
      [],
      'diff/: compares two packages or projects through inspect.',
    ),
    ...row(
      'entra',
      { path: folder('entra'), pathNot: file('entra/tokenFlow.ts') },
      [folder('model'), ERRORS],
      ['@azure/msal-node', 'jsonc-parser'],
      'entra/: sign-in and the bulk-token protocol; only tokenFlow.ts reaches tenant/.',
    ),
    ...row(
      'entra-tokenFlow',
      file('entra/tokenFlow.ts'),
      [folder('entra'), folder('tenant'), folder('model'), ERRORS],
      [],
      'entra/tokenFlow.ts: the bulk-token use case, with the tenant fast checks.',
    ),
    ...row('tenant', folder('tenant'), [folder('entra'), folder('model'), folder('fs'), ERRORS], [], "tenant/: Microsoft Graph on entra's HTTPS core."),
    ...row(
      'languageService',
      folder('languageService'),
      [folder('validation'), folder('model'), file('protocol.ts'), SETTINGS, ERRORS],
      [
        'vscode-json-languageservice',
        'vscode-languageserver',
        'vscode-languageserver-types',
        'vscode-languageserver-protocol',
        'vscode-languageserver-textdocument',
        'vscode-uri',
        'jsonc-parser',
      ],
      'languageService/: editor features over validation; no build, no tenant.',
    ),
    ...row(
      'server',
      file('server.ts'),
      [folder('languageService'), folder('fs'), file('protocol.ts')],
      ['vscode-languageserver', 'vscode-languageserver-textdocument', 'vscode-uri'],
      'server.ts: the thin LSP binding; everything else through languageService/ (and fs/ to find the projects of Validate Workspace).',
    ),
    ...row(
      'client',
      '^client/src/',
      [file('engine.ts'), file('protocol.ts')],
      ['vscode', '@types/vscode', 'vscode-languageclient'],
      'client/src: the VS Code shell reaches the engine only through engine.ts and protocol.ts.',
    ),
    {
      name: 'protocol-imports-only-types',
      severity: 'error',
      comment: 'protocol.ts is shared with the client: it imports nothing at run time, so no engine code reaches the client bundle through it.',
      from: { path: file('protocol.ts') },
      to: { dependencyTypesNot: ['type-only', 'core'] },
    },
    {
      name: 'engine-may-import',
      severity: 'error',
      comment: 'engine.ts: the facade the client uses. It may import the engine, not a front end (cli/, server.ts).',
      from: { path: file('engine.ts') },
      to: { path: [folder('cli'), file('server.ts'), '^client/src/'] },
    },
    {
      name: 'cli-may-import',
      severity: 'error',
      comment: "cli/: the command line. It may import the engine, not another front end (engine.ts is the client's facade, server.ts the LSP binding).",
      from: { path: folder('cli') },
      to: { path: [file('engine.ts'), file('server.ts'), '^client/src/'] },
    },
    {
      name: 'only-client-imports-vscode',
      severity: 'error',
      comment: 'The engine runs without VS Code (CLI, other editors): only client/src imports `vscode`.',
      from: { pathNot: '^client/src/' },
      to: { path: '(^|/)node_modules/@types/vscode/|^vscode$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycle in server/src. Type-only imports are erased and do not count here (they do in cli/, below).',
      from: { path: SRC },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-circular-cli',
      severity: 'error',
      comment: 'No import cycle through server/src/cli, type-only imports included (test/unit/cli-structure.test.ts).',
      from: { path: folder('cli') },
      to: { circular: true },
    },
    {
      name: 'no-non-package-json',
      severity: 'error',
      comment: "An npm package the code imports is declared in package.json, not reached through another package's dependencies.",
      from: { path: '^(server|client)/src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'Every import resolves (else the rules above could not see it). The generated validators exist after the build.',
      from: { path: '^(server|client)/src/' },
      to: { couldNotResolve: true, pathNot: '/generated/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too (the rows count them; the cycle rule skips them).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve as esbuild does for Node: package.json "exports" with the node conditions.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    // Breaks of a rule that exist today, each to be fixed (not allowed by the
    // rule itself, so they stay visible): dependency-cruiser reports them as
    // "ignore", the test lists them, and fails once one is gone so that the
    // list only shrinks.
    knownViolations: [],
  },
};
