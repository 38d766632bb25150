import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { APP_CONTEXT } from './appContext.js';
import { type RemediationHubConfig, STACK_NAMES } from './config.js';
import { MemberRoleStack } from './stacks/MemberRoleStack.js';

/**
 * Synthesizes the member-role template on its own: the body the StackSet stack embeds and the standalone
 * file an operator hands to StackSets. The same checks run on it as on the app.
 */
export function renderMemberRoleTemplate(config: RemediationHubConfig): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'remediation-hub-member-role-'));
  try {
    const app = new App({ outdir, analyticsReporting: false, context: APP_CONTEXT });
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
    );
    new MemberRoleStack(app, STACK_NAMES.memberRole, { config });
    return app.synth().getStackByName(STACK_NAMES.memberRole).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The standalone file's exact text: two-space JSON with a final newline. */
export function formatTemplate(template: unknown): string {
  return `${JSON.stringify(template, null, 2)}\n`;
}
