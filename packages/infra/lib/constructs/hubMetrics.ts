import type { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';

/** The hub's EMF namespace and the `service` dimension Powertools puts in every set (hub-handler's HubMetrics). */
export const HUB_METRICS_NAMESPACE = 'RemediationHub';
export const HUB_METRICS_SERVICE = 'remediation-hub';

/** A metric the hub writes as EMF, with `service` and the given dimensions (one of its dimension sets). */
export function hubMetric(
  metricName: string,
  dimensions: Record<string, string>,
  options: { statistic: string; period: Duration; label?: string },
): Metric {
  return new Metric({
    namespace: HUB_METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: HUB_METRICS_SERVICE, ...dimensions },
    statistic: options.statistic,
    period: options.period,
    ...(options.label ? { label: options.label } : {}),
  });
}
