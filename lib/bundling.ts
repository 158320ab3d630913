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
 * The AWS SDK v3 ships with the Node.js Lambda runtime; leaving it out keeps bundles small.
 * (Powertools, zod, nodemailer and mjml are bundled.)
 */
export const EXTERNAL_MODULES = ['@aws-sdk/*', '@smithy/*'];

/** File types bundled as text, so templates ride inside the bundle instead of beside it. */
export const TEXT_LOADERS: Record<string, 'text'> = { '.mjml': 'text' };

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
  loader: TEXT_LOADERS,
  forceDockerBundling: false,
};
