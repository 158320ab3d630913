import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

// `npm ci` prints EBADENGINE for every installed package whose `engines.node` does not cover the
// running Node. The project supports the Node versions in its own `engines` (README, "Node.js"):
// every locked package must accept all of them, so `npm ci` is quiet on each.
const ROOT = new URL('../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', ROOT), 'utf8')) as {
  packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; os?: string[]; cpu?: string[] }>;
};

describe('supported Node versions', () => {
  it('are Node 20.19+, 22.13+ and 24+, the ranges eslint and vitest need', () => {
    expect(pkg.engines.node).toBe('^20.19.0 || ^22.13.0 || >=24');
    for (const v of ['20.19.0', '22.13.0', '24.0.0']) expect(semver.satisfies(v, pkg.engines.node), v).toBe(true);
  });

  it('are accepted by every package npm ci installs', () => {
    const refused = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !(p.optional && (p.os || p.cpu))) // platform binaries for other machines are not installed
      .flatMap(([path, p]) => {
        const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
        return range && !semver.subset(pkg.engines.node, range) ? [`${path.replace(/^.*node_modules\//, '')} wants node ${range}`] : [];
      });
    expect(refused).toEqual([]);
  });
});
