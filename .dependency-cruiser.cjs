// @ts-check
/**
 * The layering Flock's folders promise, checked on every `pnpm lint` (`pnpm lint:deps`).
 * Workspace packages resolve to their `src/`, so the rules speak in paths:
 *
 *   apps/api, apps/worker          entry points; nothing imports them
 *   packages/sql (engines)         read a question and a schema, write SQL
 *   packages/warehouse (adapter)   runs SQL on one tenant's storage
 *   packages/motherduck            the MotherDuck session both of those use
 *   packages/schema                what they all agree on; imports nothing of ours
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'client-stands-alone',
      severity: 'error',
      comment: "@flock/client is what users install: it knows the API only through the OpenAPI document, never the server's code.",
      from: { path: '^packages/client/' },
      to: { path: '^(packages|apps)/', pathNot: '^packages/client/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and hides which layer owns a rule.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'declared-dependencies-only',
      severity: 'error',
      comment: 'An import a package.json does not declare works only by hoisting luck, and hides a new edge in the graph.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'adapters-never-import-engines',
      severity: 'error',
      comment: 'The warehouse runs whatever SQL it is given; it must not know how SQL is written.',
      from: { path: '^packages/(warehouse|motherduck|schema)/' },
      to: { path: '^packages/sql/' },
    },
    {
      name: 'schema-is-the-floor',
      severity: 'error',
      comment: 'Everything may import @flock/schema, so it may import nothing of ours.',
      from: { path: '^packages/schema/' },
      to: { path: '^(packages|apps)/', pathNot: '^packages/schema/' },
    },
    {
      name: 'motherduck-is-a-client',
      severity: 'error',
      comment: 'The MotherDuck session is shared by an engine and an adapter, so it sits below both.',
      from: { path: '^packages/motherduck/' },
      to: { path: '^(packages|apps)/', pathNot: '^packages/(motherduck|schema|errors)/' },
    },
    {
      name: 'engines-keep-to-themselves',
      severity: 'error',
      comment:
        'One engine never reaches into another: what two share lives beside them (text/, generator.ts, test-fixtures/).',
      from: { path: '^packages/sql/src/(builtin|openai|motherduck)/' },
      to: { path: '^packages/sql/src/(builtin|openai|motherduck)/', pathNot: '^packages/sql/src/$1/' },
    },
    {
      name: 'api-does-not-generate',
      severity: 'error',
      comment: 'The API validates and enqueues; writing and running SQL is the worker’s job.',
      from: { path: '^apps/api/' },
      to: { path: '^packages/sql/' },
    },
    {
      name: 'packages-never-import-apps',
      severity: 'error',
      comment: 'Libraries are shared by both apps, so they cannot depend on either.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-reaching-into-packages',
      severity: 'error',
      comment: 'Another package is used through its index (its public face), never by a path into its src/.',
      from: { path: '^(packages|apps|e2e|bench)/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: {
        path: '^packages/[^/]+/src/',
        pathNot: ['^packages/[^/]+/src/index\\.ts$', '^packages/$2/'],
      },
    },
    {
      name: 'apps-are-entry-points',
      severity: 'error',
      comment: 'One app never imports the other; what both need belongs in packages/.',
      from: { path: '^apps/(api|worker)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['types', 'main'],
    },
  },
};
