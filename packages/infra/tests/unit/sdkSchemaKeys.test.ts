import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineSchemaKeys, SDK_SCHEMA_MODULE } from '../../lib/sdkSchemaKeys.js';

describe('inlineSchemaKeys', () => {
  it("writes a computed key naming one of the module's string constants as that string", () => {
    const source = [
      'const _eQN = "ec2QueryName";',
      'const _xN = "xmlName";',
      'export var A$ = [3, n0, _A, 0, [_M], [[1, { [_eQN]: `Min`,',
      '                [_xN]: _m, [other]: 1 }]]];',
    ].join('\n');
    expect(inlineSchemaKeys(source)).toBe(
      [
        'const _eQN = "ec2QueryName";',
        'const _xN = "xmlName";',
        'export var A$ = [3, n0, _A, 0, [_M], [[1, { "ec2QueryName": `Min`,',
        '                "xmlName": _m, [other]: 1 }]]];',
      ].join('\n'),
    );
  });

  it("leaves no computed key of a string constant in EC2's schemas, and changes nothing else", () => {
    const require = createRequire(join(import.meta.dirname, '..', '..', '..', 'hub-handler', 'package.json'));
    const file = join(
      require.resolve('@aws-sdk/client-ec2').split('/dist-cjs/')[0] as string,
      'dist-es',
      'schemas',
      'schemas_0.js',
    );
    expect(SDK_SCHEMA_MODULE.test(file)).toBe(true);
    const source = readFileSync(file, 'utf8');
    const inlined = inlineSchemaKeys(source);
    expect(inlined).not.toMatch(/\[_\w+\]:/);
    // Only the keys differ: put the names back and the module is what it was.
    const names = new Map<string, string>();
    for (const [, name, value] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm))
      names.set(value as string, name as string);
    expect(
      inlined.replace(/("[^"\\\n]*"):/g, (key, value: string) =>
        names.has(value) ? `[${names.get(value)}]:` : key,
      ),
    ).toBe(source);
  });
});
