#!/usr/bin/env node
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigurationError, loadConfig } from '../lib/config.ts';
import { NewsbriefStack } from '../lib/newsbrief-stack.ts';

// The CDK app: validate the operator's configuration (cdk.json context / -c), then build the stack.
// Environment-agnostic on purpose: synth needs no credentials; deploy targets the CLI's account/region.
const app = new App();
// cdk-nag's AwsSolutions pack runs at every synth and deploy: an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
try {
  const config = loadConfig((key) => app.node.tryGetContext(key));
  new NewsbriefStack(app, app.node.tryGetContext('stackName') ?? 'Newsbrief', {
    config,
    description: 'newsbrief: article summaries and key quotes mailed to subscribers through Amazon SES',
  });
  Tags.of(app).add('project', 'newsbrief');
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
