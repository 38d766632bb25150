import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { compileOnFirstParse } from '../../src/compileOnFirstParse.js';

const schema = () =>
  z.object(
    {
      id: z.string({ error: 'expected a string' }).min(1, { error: 'expected a non-empty string' }),
      ports: z.array(z.number().int()).nullable().optional(),
    },
    { error: 'expected an object' },
  );

describe('compileOnFirstParse', () => {
  const values: unknown[] = [
    { id: 'a', ports: [22, 3389], extra: true },
    { id: 'a', ports: null },
    { id: '' },
    { id: 1, ports: ['22'] },
    [],
    'text',
    null,
  ];

  it('parses as z.compile does: the same data, the same issues', () => {
    const compiled = z.compile(schema());
    const lazy = compileOnFirstParse(schema());
    for (const value of values) {
      expect(lazy.safeParse(value)).toEqual(compiled.safeParse(value));
      expect(lazy.safeParse(value, { reportInput: true })).toEqual(
        compiled.safeParse(value, { reportInput: true }),
      );
      const parsed = (parse: (value: unknown) => unknown) => {
        try {
          return { data: parse(value) };
        } catch (error) {
          return { error: (error as Error).message };
        }
      };
      expect(parsed(lazy.parse)).toEqual(parsed(compiled.parse));
    }
  });

  it('is the schema itself for everything but parsing', () => {
    const original = schema();
    const lazy = compileOnFirstParse(original);
    expect(lazy.shape).toBe(original.shape);
    expect(lazy._zod.def).toBe(original._zod.def);
  });
});
