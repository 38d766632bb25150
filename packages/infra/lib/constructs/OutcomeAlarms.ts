import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { hubMetric } from './hubMetrics.js';

export interface OutcomeAlarmsProps {
  /** The existing alarm topic (HubAlarms). */
  readonly topic: ITopic;
  /** `rejected` outcomes in 5 minutes that make a spike (a parameter). */
  readonly rejectedThreshold: number;
  /** The p95 of time-to-close, in seconds over an hour, above which the alarm fires (a parameter). */
  readonly timeToCloseP95Seconds: number;
}

/**
 * Alarms on what the hub did, from its EMF metrics (namespace `RemediationHub`), to the same alarm topic as the
 * infrastructure alarms: a `failed` remediation (the exposure stays open), a spike of `rejected` alerts,
 * AssumeRole failures, and time-to-close p95 over a threshold. No data means nothing happened: not breaching.
 */
export class OutcomeAlarms extends Construct {
  readonly failed: Alarm;
  readonly rejectedSpike: Alarm;
  readonly assumeRoleFailures: Alarm;
  readonly timeToClose: Alarm;

  constructor(scope: Construct, id: string, props: OutcomeAlarmsProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    const outcomes = (outcome: string): Metric =>
      hubMetric('Outcome', { outcome }, { statistic: 'Sum', period: fiveMinutes });
    const alarm = (alarmId: string, description: string, metric: Metric, threshold: number) =>
      new Alarm(this, alarmId, {
        alarmDescription: `remediation-hub: ${description}; see docs/operations.md`,
        metric,
        threshold,
        comparisonOperator:
          alarmId === 'TimeToCloseP95'
            ? ComparisonOperator.GREATER_THAN_THRESHOLD
            : ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });

    this.failed = alarm(
      'FailedRemediations',
      'a remediation failed (member role missing or refusing, an unexpected AWS error): the exposure stays open',
      outcomes('failed'),
      1,
    );
    this.rejectedSpike = alarm(
      'RejectedSpike',
      'a spike of rejected alerts (accounts off the allow-list, malformed messages)',
      outcomes('rejected'),
      props.rejectedThreshold,
    );
    this.assumeRoleFailures = alarm(
      'AssumeRoleFailures',
      'the hub could not assume a member role',
      hubMetric('AssumeRoleFailure', {}, { statistic: 'Sum', period: fiveMinutes }),
      1,
    );
    this.timeToClose = alarm(
      'TimeToCloseP95',
      'exposures stay open too long: time-to-close p95 over the last hour is above the threshold',
      hubMetric('TimeToCloseSeconds', {}, { statistic: 'p95', period: Duration.hours(1) }),
      props.timeToCloseP95Seconds,
    );

    const action = new SnsAction(props.topic);
    for (const each of [this.failed, this.rejectedSpike, this.assumeRoleFailures, this.timeToClose]) {
      each.addAlarmAction(action);
      each.addOkAction(action);
    }
  }
}
