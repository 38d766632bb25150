import type { CfnTemplate } from './assembly.js';

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * A part of a template as CloudFormation would deploy it with these parameter values, as far as conditions
 * go: each `Fn::If` becomes its chosen branch, and `AWS::NoValue` disappears (from an object, or from a
 * list, as CloudFormation drops it). Other intrinsics (`Ref`, `Fn::Sub`, ...) are left as they are.
 * Understands the condition functions the templates use: `Fn::Equals` of a parameter `Ref` and a literal,
 * `Fn::Not`, and a condition name.
 */
export function resolveConditions(
  template: CfnTemplate,
  parameters: Record<string, string>,
  value: unknown,
): unknown {
  const resolved = resolve(template, parameters, value);
  if (resolved === NO_VALUE) throw new Error('the value itself is AWS::NoValue');
  return resolved;
}

function resolve(template: CfnTemplate, parameters: Record<string, string>, value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map((item) => resolve(template, parameters, item)).filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [key, argument] = entries[0] ?? [];
  if (entries.length === 1 && key === 'Ref' && argument === 'AWS::NoValue') return NO_VALUE;
  if (entries.length === 1 && key === 'Fn::If') {
    const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
    return resolve(
      template,
      parameters,
      evaluate(template, parameters, { Condition: name }) ? whenTrue : whenFalse,
    );
  }
  const result: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const item = resolve(template, parameters, v);
    if (item !== NO_VALUE) result[k] = item;
  }
  return result;
}

function evaluate(template: CfnTemplate, parameters: Record<string, string>, expression: unknown): boolean {
  const [key, argument] = Object.entries(expression as object)[0] ?? [];
  switch (key) {
    case 'Condition': {
      const condition = template.Conditions?.[argument as string];
      if (condition === undefined) throw new Error(`no condition ${String(argument)}`);
      return evaluate(template, parameters, condition);
    }
    case 'Fn::Not':
      return !evaluate(template, parameters, (argument as [unknown])[0]);
    case 'Fn::Equals': {
      const [left, right] = (argument as [unknown, unknown]).map((side) =>
        scalar(template, parameters, side),
      );
      return left === right;
    }
    default:
      throw new Error(`condition function ${String(key)} is not understood here`);
  }
}

/** A literal, or a parameter's value (the one given, else its default). */
function scalar(template: CfnTemplate, parameters: Record<string, string>, value: unknown): string {
  if (typeof value === 'string') return value;
  const name = (value as { Ref?: string }).Ref;
  if (name === undefined) throw new Error(`not a literal or a parameter: ${JSON.stringify(value)}`);
  const definition = template.Parameters?.[name];
  if (definition === undefined) throw new Error(`no parameter ${name}`);
  const given = parameters[name] ?? definition.Default;
  if (given === undefined) throw new Error(`parameter ${name} has no value and no default`);
  return String(given);
}
