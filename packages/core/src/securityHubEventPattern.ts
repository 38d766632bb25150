import { CIS_1_2_RULE_CONTROLS, SECURITY_HUB_CONTROLS } from './securityHubControls.js';
import { IMPORTED_DETAIL_TYPE, SECURITY_HUB_EVENT_SOURCE } from './sources/securityHubSchema.js';

/** An EventBridge event pattern, as JSON. */
export type EventPattern = { [key: string]: readonly unknown[] | EventPattern | readonly EventPattern[] };

/**
 * The EventBridge pattern of the hub's Security Hub rule: "Security Hub Findings - Imported" events whose finding
 * is a `FAILED`, `ACTIVE`, `NEW` check of a security group by one of the controls the hub closes, however the
 * finding names its control (consolidated `Compliance.SecurityControlId`; per standard `ProductFields.ControlId`;
 * CIS 1.2.0 `ProductFields.RuleId`). Built from the registry (`SECURITY_HUB_CONTROLS`, `CIS_1_2_RULE_CONTROLS`):
 * the stack and `local up` both take it from here, so the rule and the hub cannot disagree.
 *
 * `Workflow.Status` `NEW` only: the hub's own write-back (`RESOLVED`, `NOTIFIED`) makes Security Hub emit another
 * Imported event of the same finding, which the rule then drops; Security Hub itself sets a finding back to `NEW`
 * when its check fails again after passing, so a re-opened finding comes in again. A finding a person (or another
 * tool) moved off `NEW` first is not sent; setting it back to `NEW` sends it.
 *
 * Within a pattern, a field under `detail.findings` matches when any finding of the event matches (EventBridge
 * matches arrays element-wise); the hub reads every finding of an event on its own anyway.
 */
export function securityHubEventPattern(): EventPattern {
  const controls = SECURITY_HUB_CONTROLS.map((control) => control.id);
  return {
    source: [SECURITY_HUB_EVENT_SOURCE],
    'detail-type': [IMPORTED_DETAIL_TYPE],
    detail: {
      findings: {
        Compliance: { Status: ['FAILED'] },
        RecordState: ['ACTIVE'],
        Workflow: { Status: ['NEW'] },
        Resources: { Type: ['AwsEc2SecurityGroup'] },
        $or: [
          { Compliance: { SecurityControlId: controls } },
          { ProductFields: { ControlId: controls } },
          { ProductFields: { RuleId: Object.keys(CIS_1_2_RULE_CONTROLS) } },
        ],
      },
    },
  };
}

/**
 * The envelope part of the pattern alone (`source`, `detail-type`): what `local up` gives the emulator's rule,
 * because moto (5.2) matches no pattern field under an array of objects (`detail.findings[]`), so the full pattern
 * would drop every event there. The hub reads every finding it is sent and ignores what it does not act on, so
 * only the filtering moves from the rule to the hub; the full pattern is tested on its own (core's unit tests).
 */
export function envelopePattern(pattern: EventPattern): EventPattern {
  const { source, 'detail-type': detailType } = pattern;
  return {
    ...(source === undefined ? {} : { source }),
    ...(detailType === undefined ? {} : { 'detail-type': detailType }),
  };
}

/** EventBridge's limit on a rule's pattern, in characters of its JSON. */
export const MAX_EVENT_PATTERN_LENGTH = 4096;
