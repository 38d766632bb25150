import type { PlanOptions } from './plan.js';
import type { SecurityGroup } from './types.js';

/**
 * What the exemption tag of a group says (key `options.exemptTagKey`, exactly):
 * - `exempt`: the value is `true` (any case: forever, `until` absent) or a date `YYYY-MM-DD` that has not ended
 *   yet (exempt until the end of that day, UTC);
 * - `expired`: the value is a date whose day has ended (UTC): the group is remediated like any other, and the
 *   record says the exemption expired;
 * - `invalid`: any other value (`yes`, empty, `2027-02-30`): not an exemption, and the record says why.
 * `undefined` when the group carries no such tag.
 */
export type Exemption =
  | { kind: 'exempt'; tag: string; value: string; until: string | undefined }
  | { kind: 'expired'; tag: string; value: string; until: string }
  | { kind: 'invalid'; tag: string; value: string };

/** `YYYY-MM-DD`: the only dated form of the exemption tag. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The exemption a group's tag grants at `options.now`. The one place that decides exemption: the planner asks
 * it for every finding, `scan` for every group.
 */
export function findExemption(
  group: SecurityGroup,
  options: Pick<PlanOptions, 'exemptTagKey' | 'now'>,
): Exemption | undefined {
  const tag = group.Tags?.find((candidate) => candidate.Key === options.exemptTagKey);
  if (tag === undefined) return undefined;
  const key = options.exemptTagKey;
  const value = tag.Value ?? '';
  if (value.toLowerCase() === 'true') return { kind: 'exempt', tag: key, value, until: undefined };
  const endOfDay = endOfUtcDay(value);
  if (endOfDay === undefined) return { kind: 'invalid', tag: key, value };
  return options.now.getTime() < endOfDay
    ? { kind: 'exempt', tag: key, value, until: value }
    : { kind: 'expired', tag: key, value, until: value };
}

/** Epoch milliseconds of the end of a `YYYY-MM-DD` day (UTC), or `undefined` for no such calendar day. */
function endOfUtcDay(value: string): number | undefined {
  const match = DATE.exec(value);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls over (2027-02-30 is March 2nd): only a day that reads back the same exists.
  if (start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day + 1);
}
