import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensurePythonTool } from '@remediation-hub/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_NAMES } from '../../lib/config.js';
import { MEMBER_ROLE_TEMPLATE_FILE } from '../../lib/paths.js';
import { CFN_LINT } from '../../scripts/cfnLint.js';
import { templatePath } from '../support/assembly.js';

const run = promisify(execFile);

interface Match {
  Filename: string;
  Level: 'Error' | 'Warning' | 'Informational';
  Message: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
}

/**
 * Warnings accepted, with why. W3005: CDK's Lambda construct adds DependsOn on its role and default
 * policy; the role's is redundant with the GetAtt, harmless, and not ours to remove.
 */
const ACCEPTED_WARNINGS = [{ rule: 'W3005', path: /^Resources\/HubFunction[0-9A-F]{8}\/DependsOn\// }];

let cfnLint: string;

beforeAll(async () => {
  cfnLint = await ensurePythonTool(CFN_LINT);
}, 600_000);

async function lint(files: string[]): Promise<Match[]> {
  // cfn-lint exits non-zero (a bit mask of levels) when it finds anything; the JSON on stdout says what.
  const result = await run(cfnLint, ['--format', 'json', ...files], { maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout?: string; code?: number; stderr?: string }) => {
      if (typeof error.stdout === 'string' && error.stdout.trim().startsWith('['))
        return { stdout: error.stdout };
      throw error;
    },
  );
  return JSON.parse(result.stdout) as Match[];
}

describe('cfn-lint 1.58.0 on the synthesized templates', () => {
  it('is the pinned version', async () => {
    const { stdout } = await run(cfnLint, ['--version']);
    expect(stdout.trim()).toBe('cfn-lint 1.58.0');
  });

  it('reports no errors, and no warnings but the accepted ones', async () => {
    const files = [
      templatePath(STACK_NAMES.hub),
      templatePath(STACK_NAMES.memberRole),
      templatePath(STACK_NAMES.memberRoleStackSet),
      MEMBER_ROLE_TEMPLATE_FILE,
    ];
    const matches = await lint(files);
    const summary = (m: Match) => `${m.Level} ${m.Rule.Id} ${m.Location.Path.join('/')}: ${m.Message}`;
    expect(matches.filter((m) => m.Level === 'Error').map(summary)).toEqual([]);
    const unexpected = matches.filter(
      (m) =>
        !ACCEPTED_WARNINGS.some(
          (w) => m.Level === 'Warning' && m.Rule.Id === w.rule && w.path.test(m.Location.Path.join('/')),
        ),
    );
    expect(unexpected.map(summary)).toEqual([]);
  }, 120_000);

  it('notices a broken template (the check can fail)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfn-lint-')), 'broken.json');
    writeFileSync(
      file,
      JSON.stringify({
        Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } } },
      }),
    );
    const matches = await lint([file]);
    expect(matches.some((m) => m.Level === 'Error')).toBe(true);
  }, 120_000);
});
