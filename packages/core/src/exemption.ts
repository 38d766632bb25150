import type { PlanOptions } from './plan.js';
import type { SecurityGroup, Tag } from './types.js';

/**
 * The tag that exempts a group from remediation, if it carries one: key `options.exemptTagKey` (exactly), value
 * `true` (any case). The one place that decides exemption, so that another kind (e.g. one that expires) changes
 * only this function.
 */
export function findExemption(
  group: SecurityGroup,
  options: Pick<PlanOptions, 'exemptTagKey'>,
): Tag | undefined {
  return group.Tags?.find((tag) => tag.Key === options.exemptTagKey && tag.Value?.toLowerCase() === 'true');
}
