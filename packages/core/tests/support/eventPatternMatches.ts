/**
 * EventBridge's matching as its user guide documents it ("Event patterns", "Arrays in event patterns", "Content
 * filtering"), for the operators the hub's pattern uses: a pattern leaf is a list of alternatives (literals or
 * `{prefix}`, `{exists}`); a pattern object descends into the event's object; where the event holds an array, a
 * leaf matches when any element matches (arrays are matched element-wise, across objects too); `$or` holds
 * alternative patterns at its level. Test-only: the emulator (moto 5.2) does not descend into arrays of objects, so
 * the production pattern is checked here against the real fixtures instead.
 */
export function eventPatternMatches(pattern: unknown, event: unknown): boolean {
  return matchObject(pattern as Record<string, unknown>, [event]);
}

function matchObject(pattern: Record<string, unknown>, values: readonly unknown[]): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === '$or') {
      return (rule as Record<string, unknown>[]).some((alternative) => matchObject(alternative, values));
    }
    const children = values.flatMap((value) => childValues(value, key));
    if (Array.isArray(rule)) return matchLeaf(rule, children);
    return matchObject(rule as Record<string, unknown>, children);
  });
}

/** The values at `key` of an object, with arrays (of values or of objects) spread, as EventBridge flattens them. */
function childValues(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((element) => childValues(element, key));
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return [];
  const child = (value as Record<string, unknown>)[key];
  return Array.isArray(child) ? child : [child];
}

function matchLeaf(alternatives: readonly unknown[], values: readonly unknown[]): boolean {
  return alternatives.some((alternative) => {
    if (typeof alternative === 'object' && alternative !== null) {
      const [[operator, operand]] = Object.entries(alternative) as [[string, unknown]];
      if (operator === 'exists') return values.length > 0 === operand;
      if (operator === 'prefix') {
        return values.some((value) => typeof value === 'string' && value.startsWith(operand as string));
      }
      throw new Error(`operator ${operator} is not modelled here`);
    }
    return values.some((value) => value === alternative);
  });
}
