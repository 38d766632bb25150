import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HUB_METRICS_NAMESPACE, hubMetric } from './hubMetrics.js';

export interface HubDashboardProps {
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly function: IFunction;
}

const FIVE_MINUTES = Duration.minutes(5);

/** Every series of `metricName` with exactly these dimension keys (besides `service`), one line each. */
function search(metricName: string, keys: readonly string[], label: string): MathExpression {
  const schema = [HUB_METRICS_NAMESPACE, 'service', ...keys].join(',');
  return new MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metricName}"', 'Sum', 300)`,
    label,
    period: FIVE_MINUTES,
    usingMetrics: {},
  });
}

/**
 * What the hub did and how it is doing, on one CloudWatch dashboard: outcomes over time by outcome and by
 * source, time-to-close, the queue's age and depth, dead letters, errors (the function's, AssumeRole, throttled
 * retries) and the batches.
 */
export class HubDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: HubDashboardProps) {
    super(scope, id);
    const { queue, deadLetterQueue } = props;
    const fn = props.function;
    const width = 12;
    const height = 6;
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(1),
      widgets: [
        [
          new TextWidget({
            markdown:
              '# remediation-hub\nWhat the hub did (namespace `RemediationHub`, EMF) and its queue. Outcome events: the outcome topic; details: `remediation-hub audit stats`.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new GraphWidget({
            title: 'Outcomes by outcome (per 5 minutes)',
            left: [search('Outcome', ['outcome'], '')],
            stacked: true,
            width,
            height,
          }),
          new GraphWidget({
            title: 'Outcomes by outcome and source (per 5 minutes)',
            left: [search('Outcome', ['outcome', 'source'], '')],
            width,
            height,
          }),
        ],
        [
          new GraphWidget({
            title: 'Time to close (source first seen → confirmed revoke), seconds',
            left: ['p50', 'p95', 'Maximum'].map((statistic) =>
              hubMetric('TimeToCloseSeconds', {}, { statistic, period: Duration.hours(1), label: statistic }),
            ),
            width,
            height,
          }),
          new GraphWidget({
            title: 'Queue: age of the oldest message (s) and depth',
            left: [
              queue.metricApproximateAgeOfOldestMessage({
                period: Duration.minutes(1),
                statistic: 'Maximum',
              }),
            ],
            right: [
              queue.metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(1),
                statistic: 'Maximum',
              }),
              queue.metricApproximateNumberOfMessagesNotVisible({
                period: Duration.minutes(1),
                statistic: 'Maximum',
              }),
            ],
            width,
            height,
          }),
        ],
        [
          new GraphWidget({
            title: 'Dead letters',
            left: [
              deadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(1),
                statistic: 'Maximum',
              }),
            ],
            width,
            height,
          }),
          new GraphWidget({
            title: 'Errors',
            left: [
              fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
              fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
              hubMetric(
                'AssumeRoleFailure',
                {},
                { statistic: 'Sum', period: FIVE_MINUTES, label: 'AssumeRole failures' },
              ),
              hubMetric(
                'ThrottledRetries',
                {},
                { statistic: 'Sum', period: FIVE_MINUTES, label: 'throttled retries' },
              ),
              hubMetric(
                'MessagesSentBack',
                {},
                { statistic: 'Sum', period: FIVE_MINUTES, label: 'messages sent back' },
              ),
            ],
            width,
            height,
          }),
        ],
        [
          new GraphWidget({
            title: 'Batches: duration (ms)',
            left: ['p50', 'Maximum'].map((statistic) =>
              hubMetric('BatchDurationMs', {}, { statistic, period: FIVE_MINUTES, label: statistic }),
            ),
            right: [fn.metricInvocations({ period: FIVE_MINUTES, statistic: 'Sum' })],
            width,
            height,
          }),
          new GraphWidget({
            title: 'Throttled retries by AWS service',
            left: [search('ThrottledRetries', ['awsService'], '')],
            width,
            height,
          }),
        ],
      ],
    });
  }
}
