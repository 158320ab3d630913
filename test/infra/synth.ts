import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig, type NewsbriefConfig } from '../../lib/config.ts';
import { NewsbriefStack } from '../../lib/newsbrief-stack.ts';

/**
 * Synthesises the stack the way `npm run synth` does (cdk.json's context: feature flags and the
 * example configuration), with bundling skipped, and cdk-nag's AwsSolutions pack as a validation
 * plugin. Each test file calls this once and shares the result.
 */

const ROOT = new URL('../../', import.meta.url).pathname;

/** cdk.json's context, so tests see the same feature flags and configuration as the CLI. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;
}

export interface Synthesised {
  readonly stack: NewsbriefStack;
  readonly config: NewsbriefConfig;
  readonly template: Template;
  /** cdk-nag violations that were not acknowledged ("<rule> <construct path>"). */
  readonly nagViolations: string[];
}

interface ValidationReport {
  pluginReports: { violations: { ruleName: string; violatingResources?: { constructPath?: string; resourceLogicalId?: string }[] }[] }[];
}

/** Synthesise once with `context` layered over cdk.json's context. */
export function synthesise(context: Record<string, unknown> = {}, options: { nag?: boolean } = {}): Synthesised {
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  const outdir = mkdtempSync(join(ROOT, 'out', 'infra-cdk-out-'));
  const app = new App({
    outdir,
    context: { ...cdkJsonContext(), configFile: join(ROOT, 'examples/newsroom.config.yaml'), ...context, 'aws:cdk:bundling-stacks': [] },
  });
  const config = loadConfig((key) => app.node.tryGetContext(key));
  // The real handler entries (NodejsFunction checks they exist); bundling itself is skipped.
  const stack = new NewsbriefStack(app, 'Newsbrief', { config });
  if (options.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let nagViolations: string[] = [];
  try {
    app.synth();
  } catch (error) {
    if (!/Validation failed/.test((error as Error).message)) throw error;
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
    nagViolations = report.pluginReports.flatMap((r) =>
      r.violations.flatMap((v) =>
        (v.violatingResources ?? [{}]).map((c) => `${v.ruleName} ${c.constructPath ?? c.resourceLogicalId ?? '?'}`),
      ),
    );
  }
  const template = Template.fromJSON(
    JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.template.json`), 'utf8')) as Record<string, unknown>,
  );
  rmSync(outdir, { recursive: true, force: true });
  return { stack, config, template, nagViolations };
}
