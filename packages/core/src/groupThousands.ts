/**
 * A whole number with a comma between groups of three digits, as `toLocaleString('en-US')` writes it (`1,024`,
 * `65,536`), without `Intl`: the first use of a locale loads ICU's data, some 10 ms of the Lambda's cold start
 * when a module does it at load time.
 */
export function groupThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+$)/g, ',');
}
