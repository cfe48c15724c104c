// npm run build's last step: the three server bundles, dist/web.mjs, dist/worker.mjs and dist/start.mjs (the
// launcher), plain JavaScript that starts faster and smaller than TypeScript through tsx. Packages stay imports,
// loaded from node_modules at run time, except date-fns and date-fns-tz, which are bundled in: Node.js 22 and 24
// read a package's package.json again for every ES module they load from it (nodejs/node#60397), and date-fns's
// is 200 KB for some 300 modules, so importing it took a process 3 s and 500 MB there (0.4 s on Node.js 20).
import * as esbuild from "esbuild";

/** Marks every bare import (a package, or node:) external, but for the project's own `@/` paths and date-fns. */
const packagesExternal = {
  name: "packages-external",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, ({ path }) => (/^(@\/|date-fns(-tz)?(\/|$))/.test(path) ? undefined : { path, external: true }));
  },
};

await esbuild.build({
  entryPoints: ["server/worker.ts", "server/web.ts", "server/start.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  logLevel: "warning",
  plugins: [packagesExternal],
});
