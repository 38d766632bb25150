import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Acknowledgment, App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resolveConfig } from '../../lib/config.js';
import { HubStack } from '../../lib/stacks/HubStack.js';
import { MemberRoleStack } from '../../lib/stacks/MemberRoleStack.js';
import { MemberRoleStackSetStack } from '../../lib/stacks/MemberRoleStackSetStack.js';
import { assemblyDir } from '../support/assembly.js';

/** The three stacks, built without synthesis; cdk-nag's pack then walks the construct tree. */
function buildStacks(): App {
  const app = new App({ analyticsReporting: false });
  const config = resolveConfig();
  new HubStack(app, 'Hub', { config });
  new MemberRoleStack(app, 'Member', { config });
  new MemberRoleStackSetStack(app, 'StackSet', { config, memberRoleTemplate: {} });
  return app;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('cdk-nag AwsSolutions checks', () => {
  it('find nothing unacknowledged in the app', () => {
    const report = new AwsSolutionsChecks().validateScope(buildStacks());
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledge exactly the findings there are, each with a reason', () => {
    const acknowledged: Acknowledgment[] = [];
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation((...rules: Acknowledgment[]) => {
      acknowledged.push(...rules);
    });
    const report = new AwsSolutionsChecks().validateScope(buildStacks());
    // One finding per violating resource (a violation lists every resource that breaks its rule).
    const findings = report.violations.flatMap((v) => v.violatingResources.map(() => v.ruleName)).sort();
    expect(findings).toEqual(acknowledged.map((a) => a.id).sort());
    expect(findings).toEqual([
      // The member role's describes (no resource-level permissions), and the hub's Organizations reads (OUs only).
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:*:iam::*:role/remediation-hub/RemediationHubMemberRole]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:*:<AWS::AccountId>:security-group/*]',
    ]);
    for (const a of acknowledged) expect(a.reason.length).toBeGreaterThan(60);
  });

  it('left a clean validation report when the app was synthesized', () => {
    const report = JSON.parse(readFileSync(join(assemblyDir(), 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: unknown[] }[];
    };
    for (const plugin of report.pluginReports) expect(plugin.violations, plugin.pluginName).toEqual([]);
  });
});
