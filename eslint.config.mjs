// ESLint: Next.js's rules (core web vitals, React hooks, accessibility, imports) and typescript-eslint's; layout
// is Prettier's (eslint-config-prettier turns off the rules it would fight with).
import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import prettier from "eslint-config-prettier/flat";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  prettier,
  // `const { dropped, ...rest } = x` is how a field is left out of a copy: the named one is meant to go unused.
  { rules: { "@typescript-eslint/no-unused-vars": ["warn", { ignoreRestSiblings: true }] } },
  {
    // What the browser runs imports server code's types only: a value import of the database, accounts, reports,
    // alerts, uploads or owners modules from a component or the browser's fetch module is an error here, before
    // the bundler meets a driver it cannot pack. (These modules are also imported by commands, tests and the
    // workers' bundles, where the server-only package would throw.)
    files: ["components/**/*.{ts,tsx}", "lib/api/client.ts", "lib/api/query-keys.ts", "app/providers.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "@/lib/db/*",
                "@/lib/auth/*",
                "@/lib/reports/*",
                "@/lib/alerts/*",
                "@/lib/uploads/*",
                "@/lib/owners/*",
                "@/lib/feeds/load",
                "@/lib/env",
              ],
              allowTypeImports: true,
              message: "server code: the browser may import its types only (import type).",
            },
            {
              group: ["../db/*", "../auth/*", "../reports/*", "../alerts/*", "../uploads/*", "../owners/*", "../feeds/load", "../env"],
              allowTypeImports: true,
              message: "server code: the browser may import its types only (import type).",
            },
          ],
        },
      ],
    },
  },
  globalIgnores([".next/**", "dist/**", "lib/db/generated/**", "next-env.d.ts", "bench/**", "test-results/**", ".data/**"]),
]);
