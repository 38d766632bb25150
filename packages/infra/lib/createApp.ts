import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { APP_CONTEXT } from './appContext.js';
import { type RemediationHubConfig, resolveConfig, STACK_NAMES } from './config.js';
import { renderMemberRoleTemplate } from './memberRoleTemplate.js';
import { HubStack } from './stacks/HubStack.js';
import { MemberRoleStack } from './stacks/MemberRoleStack.js';
import { MemberRoleStackSetStack } from './stacks/MemberRoleStackSetStack.js';

export interface CreateAppOptions {
  /** Where to write the cloud assembly; the CDK CLI's CDK_OUTDIR, or a temporary folder, otherwise. */
  readonly outdir?: string;
  /** Overrides the `remediationHub` context. */
  readonly config?: RemediationHubConfig;
  /** Overrides the hub handler entry (tests). */
  readonly handlerEntry?: string;
}

export interface RemediationHubApp {
  readonly app: App;
  readonly config: RemediationHubConfig;
  readonly hub: HubStack;
  readonly memberRole: MemberRoleStack;
  readonly memberRoleStackSet: MemberRoleStackSetStack;
  /** The member-role template, as the StackSet embeds it and the standalone file holds it. */
  readonly memberRoleTemplate: Record<string, unknown>;
}

/** The whole app: three stacks under cdk-nag's AwsSolutions checks (synthesis fails on any finding). */
export function createApp(options: CreateAppOptions = {}): RemediationHubApp {
  const app = new App({
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
    analyticsReporting: false,
    context: APP_CONTEXT,
  });
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true, writeSuppressionsToCloudFormation: true }),
  );
  const config = options.config ?? resolveConfig(app.node.tryGetContext('remediationHub') ?? {});

  const hub = new HubStack(app, STACK_NAMES.hub, {
    config,
    ...(options.handlerEntry === undefined ? {} : { handlerEntry: options.handlerEntry }),
  });
  const memberRole = new MemberRoleStack(app, STACK_NAMES.memberRole, { config });
  const memberRoleTemplate = renderMemberRoleTemplate(config);
  const memberRoleStackSet = new MemberRoleStackSetStack(app, STACK_NAMES.memberRoleStackSet, {
    config,
    memberRoleTemplate,
  });
  return { app, config, hub, memberRole, memberRoleStackSet, memberRoleTemplate };
}
