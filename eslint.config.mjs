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
  globalIgnores([".next/**", "dist/**", "lib/db/generated/**", "next-env.d.ts", "bench/**", "test-results/**", ".data/**"]),
]);
