#!/usr/bin/env node
// The `newsbrief` bin (package.json): registers tsx's loader so the TypeScript sources run as they
// are on Node 20, 22 and 24, then runs cli/main.ts.
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { run } = await import('./main.ts');
process.exitCode = await run(process.argv.slice(2));
