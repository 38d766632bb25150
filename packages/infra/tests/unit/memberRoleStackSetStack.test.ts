import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, STACK_NAMES } from '../../lib/config.js';
import { assemblyFiles, onlyResource, readTemplate, templateOf } from '../support/assembly.js';

const template = templateOf(STACK_NAMES.memberRoleStackSet);
const json = readTemplate(STACK_NAMES.memberRoleStackSet);
const stackSet = onlyResource(json, 'AWS::CloudFormation::StackSet');

describe('MemberRoleStackSetStack', () => {
  it('creates a service-managed StackSet that follows the organisation', () => {
    template.hasResourceProperties('AWS::CloudFormation::StackSet', {
      StackSetName: DEFAULT_CONFIG.stackSetName,
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      CallAs: { Ref: 'CallAs' },
    });
  });

  it('targets the organisational units and regions given as parameters', () => {
    expect(stackSet.properties.StackInstancesGroup).toEqual([
      {
        DeploymentTargets: { OrganizationalUnitIds: { Ref: 'OrganizationalUnitIds' } },
        Regions: { Ref: 'Regions' },
      },
    ]);
    expect(json.Parameters?.OrganizationalUnitIds?.Type).toBe('CommaDelimitedList');
    expect(json.Parameters?.Regions?.Type).toBe('CommaDelimitedList');
  });

  it("passes the hub account, the external id, the authorize switch and the operator role to the member role's parameters", () => {
    const member = readTemplate(STACK_NAMES.memberRole);
    const passed = stackSet.properties.Parameters as { ParameterKey: string; ParameterValue: unknown }[];
    expect(passed.map((p) => p.ParameterKey).sort()).toEqual(Object.keys(member.Parameters ?? {}).sort());
    for (const p of passed) expect(p.ParameterValue).toEqual({ Ref: p.ParameterKey });
    expect(json.Parameters?.ExternalId?.NoEcho).toBe(true);
  });

  it('declares each passed parameter as the member role does (type, default, pattern, values, NoEcho)', () => {
    const member = readTemplate(STACK_NAMES.memberRole);
    const withoutDescription = (definition: Record<string, unknown> | undefined) => {
      const { Description: _description, ...rest } = definition ?? {};
      return rest;
    };
    for (const [name, definition] of Object.entries(member.Parameters ?? {})) {
      expect(withoutDescription(json.Parameters?.[name]), name).toEqual(withoutDescription(definition));
    }
    // The optional operator role: empty by default, so the StackSet passes '' and the member role trusts the hub function alone.
    expect(json.Parameters?.OperatorRoleArn?.Default).toBe('');
  });

  it('embeds exactly the member-role template', () => {
    expect(JSON.parse(stackSet.properties.TemplateBody as string)).toEqual(
      readTemplate(STACK_NAMES.memberRole),
    );
  });

  it('deploys with plain CloudFormation: no bootstrap-version rule, no CDK metadata, no assets', () => {
    expect(json.Rules).toBeUndefined();
    template.resourceCountIs('AWS::CDK::Metadata', 0);
    expect(assemblyFiles()).not.toContain(`${STACK_NAMES.memberRoleStackSet}.assets.json`);
  });
});
