import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The esbuild options every function is bundled with. Shared by the house function construct and
 * bench/bundle.ts, so the benchmark measures exactly what `cdk deploy` ships.
 */

/** The esbuild target matching the Lambda runtime (see HouseFunction's `runtime`). */
export const BUNDLE_TARGET = 'node24';

/**
 * ESM output runs CommonJS dependencies (nodemailer, mjml) through esbuild's `__require` shim,
 * which needs a real `require`; Node's createRequire provides one. `__dirname`/`__filename` keep
 * CommonJS code that builds paths from them working.
 */
export const ESM_BANNER = [
  "import { createRequire as __nbCreateRequire } from 'node:module';",
  "import { fileURLToPath as __nbFileURLToPath } from 'node:url';",
  "import { dirname as __nbDirname } from 'node:path';",
  'const require = __nbCreateRequire(import.meta.url);',
  'const __filename = __nbFileURLToPath(import.meta.url);',
  'const __dirname = __nbDirname(__filename);',
].join(' ');

/**
 * Left out of the bundle:
 * - the AWS SDK v3 (and its @smithy core), which the Node.js Lambda runtime provides: smaller bundles
 *   and faster cold imports, and AWS patches it; the price is that the runtime's SDK version, not the
 *   lockfile's, runs in Lambda (README, "Deploying to AWS"). Drop these two to pin the lockfile's;
 * - `typescript` (3.5 MB of a 7 MB bundle): mjml's minifier htmlnano looks for an optional
 *   `htmlnano.config.ts`/`.htmlnanorc*` with cosmiconfig, which requires `typescript` lazily, only
 *   to load a `.ts` config file. The search covers /var/task and its parents, which hold none, so
 *   the require never runs in Lambda.
 * Powertools, zod, nodemailer and mjml are bundled.
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*', '@smithy/*', 'typescript'];

/** The house bundling options (local esbuild, never Docker). */
export const HOUSE_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: BUNDLE_TARGET,
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  banner: ESM_BANNER,
  externalModules: EXTERNAL_MODULES,
  forceDockerBundling: false,
};
