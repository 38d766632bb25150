const RELATIVE = /^(\d+)\s*(m|min|h|d|w)$/i;
const UNIT_MS: Readonly<Record<string, number>> = {
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
/** A date (`2025-01-31`) or a date and time with a zone (`2025-01-31T12:00:00Z`, `...+02:00`). */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * `--since`: a duration back from `now` (`30m`, `24h`, `7d`, `2w`) or an ISO-8601 instant. A time
 * without a zone is refused rather than read in the machine's local zone. Throws `RangeError` with a
 * message that says what is accepted.
 */
export function parseSince(text: string, now: Date): Date {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative) {
    const amount = Number(relative[1]);
    const unit = UNIT_MS[(relative[2] ?? '').toLowerCase()] ?? 0;
    return new Date(now.getTime() - amount * unit);
  }
  if (ISO_8601.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) {
      if (at.getTime() > now.getTime()) {
        throw new RangeError(`--since ${JSON.stringify(text)} is in the future`);
      }
      return at;
    }
  }
  throw new RangeError(
    `--since expects a duration such as 30m, 24h, 7d, 2w or an ISO-8601 time such as 2025-01-31 or 2025-01-31T12:00:00Z, got ${JSON.stringify(text)}`,
  );
}
