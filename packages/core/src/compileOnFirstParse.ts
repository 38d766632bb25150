import * as z from 'zod';

/**
 * `z.compile(schema)` done on the schema's first parse rather than at import. Compiling generates and evaluates
 * a parser per schema: some 15 ms of CPU for the nine the sources declare, spent at every cold start although a
 * deployment reads one or two kinds of message. Deferred, each is compiled once, by the first message that needs
 * it, and a schema no message needs is never compiled. Parsing is the compiled schema's in every way (its fast
 * path, and zod's own parser with its issues when the value is invalid): only `safeParse` and `parse` are
 * routed to it; anything else reads the schema itself.
 */
export function compileOnFirstParse<T extends z.ZodType>(schema: T): T {
  let compiled: T | undefined;
  const parsers: Pick<T, 'safeParse' | 'parse'> = {
    safeParse: (data, params) => {
      compiled ??= z.compile(schema);
      return compiled.safeParse(data, params);
    },
    parse: (data, params) => {
      compiled ??= z.compile(schema);
      return compiled.parse(data, params);
    },
  };
  return new Proxy(schema, {
    get: (target, key) => (key === 'safeParse' || key === 'parse' ? parsers[key] : Reflect.get(target, key)),
  });
}
