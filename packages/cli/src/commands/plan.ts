import { readFileSync } from 'node:fs';
import {
  DEFAULT_EXEMPT_TAG_KEY,
  DEFAULT_STRATEGY,
  type Finding,
  MalformedSecurityGroupError,
  parseFindings,
  parseSecurityGroup,
  planRemediation,
  type RemediationPlan,
  STRATEGIES,
  type Strategy,
} from '@remediation-hub/core';
import { type Command, Option } from 'commander';
import type { CliIo } from '../io.js';

interface PlanFlags {
  alert: string;
  securityGroup: string;
  strategy: Strategy;
  exemptTagKey: string;
}

/**
 * `plan --alert FILE --security-group FILE [--strategy revoke|narrow]`: offline and pure. Prints the
 * planner's answer as JSON and exits 0 whatever the decision; malformed input is one line on stderr
 * with exit code 2 (main() reports what this throws).
 */
export function registerPlanCommand(program: Command, io: CliIo): void {
  program
    .command('plan')
    .description('Print what the hub would revoke for an alert, given the security group (offline, pure).')
    .requiredOption(
      '--alert <file>',
      'the finding as its source sends it: Evident (raw or SNS envelope), Security Hub (EventBridge event or ASFF finding), Prisma Cloud (SQS body)',
    )
    .requiredOption(
      '--security-group <file>',
      'the live group as DescribeSecurityGroups returns it (SDK v3 shape), or that output with one group',
    )
    .addOption(
      new Option('--strategy <strategy>', 'revoke the world-open rule, or narrow it to all but the port')
        .choices(STRATEGIES)
        .default(DEFAULT_STRATEGY),
    )
    .option(
      '--exempt-tag-key <key>',
      'a group whose tag with this key is "true" is left alone',
      DEFAULT_EXEMPT_TAG_KEY,
    )
    .action((flags: PlanFlags) => {
      io.stdout(`${JSON.stringify(plan(flags), null, 2)}\n`);
    });
}

/** The four keys of the contract first (the README documents them), then which source and control the plan is for. */
type PlanOutput = Pick<RemediationPlan, 'decision' | 'revoke' | 'authorize' | 'reason'> & {
  source: Finding['source'];
  control: string;
};

function plan(flags: PlanFlags): PlanOutput {
  const group = withFile('--security-group', flags.securityGroup, (text) => parseSecurityGroup(text));
  const finding = withFile('--alert', flags.alert, (text) => findingAbout(text, group.GroupId));
  let result: RemediationPlan;
  try {
    result = planRemediation(finding, group, {
      strategy: flags.strategy,
      exemptTagKey: flags.exemptTagKey,
      now: new Date(),
    });
  } catch (error) {
    if (error instanceof MalformedSecurityGroupError) {
      throw new Error(`--security-group ${flags.securityGroup}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  // The four fields of the contract, in this order, then the source and control.
  const { decision, revoke, authorize, reason } = result;
  return { decision, revoke, authorize, reason, source: finding.source, control: finding.control.id };
}

/**
 * The finding of the alert file: its only one, or, when it carries several (an EventBridge event), the one
 * about the given group. A finding the hub cannot read is its one-line error.
 */
function findingAbout(text: string, groupId: string | undefined): Finding {
  const read = parseFindings(text);
  const unreadable = read.find((entry) => entry.unreadable !== undefined)?.unreadable;
  if (read.length === 1 && unreadable !== undefined) throw unreadable.error;
  const findings = read.flatMap((entry) => (entry.finding === undefined ? [] : [entry.finding]));
  const [only] = findings;
  if (findings.length === 1 && only !== undefined) return only;
  const about = findings.filter((finding) => finding.groupId === groupId);
  const [match] = about;
  if (about.length === 1 && match !== undefined) return match;
  throw new Error(
    `the file carries ${read.length} findings, ${about.length} of them about ${groupId ?? 'the security group given'}: give a file with one`,
  );
}

/** Reads a file and parses it; any failure names the option and the file. */
function withFile<T>(option: string, file: string, parse: (text: string) => T): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`${option} ${file}: cannot read the file (${code})`, { cause: error });
  }
  try {
    return parse(text);
  } catch (error) {
    throw new Error(`${option} ${file}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
