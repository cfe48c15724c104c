// npm run build runs this first: a bad setting (e.g. PORT=abc) fails the build with the variable's name and what
// is wrong with it, as it would fail each process at start. (Kept out of next.config, which Next.js compiles again
// at every start of the web server.)
import { env } from "../lib/env";

try {
  env();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
