import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** The schema modules of the AWS SDK's clients (ESM build): `@aws-sdk/client-ec2/dist-es/schemas/schemas_0.js`. */
export const SDK_SCHEMA_MODULE =
  /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * A schema module of the SDK with each computed key that names one of the module's string constants written as
 * that string: `{ [_xN]: _m }` (with `const _xN = "xmlName";` at the top) becomes `{ "xmlName": _m }`. The objects
 * are the same; only esbuild's view of them changes. It cannot tell that a computed key is a string (a key could
 * be an object whose `toString` does something), so it keeps every schema that has one, used or not: all ~700
 * operations of EC2 (540 KB minified) for the three the hub sends. With the keys written out, a schema nothing
 * reaches is dropped like any unused constant.
 */
export function inlineSchemaKeys(source: string): string {
  const strings = new Map<string, string>();
  for (const [, name, value] of source.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)) {
    strings.set(name as string, value as string);
  }
  return source.replace(/\[(_\w+)\]:/g, (key, name: string) => {
    const value = strings.get(name);
    return value === undefined ? key : `${value}:`;
  });
}

/** The esbuild plugin that applies `inlineSchemaKeys` to the SDK's schema modules. */
export const inlineSdkSchemaKeys: Plugin = {
  name: 'inline-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMA_MODULE }, async ({ path }) => ({
      contents: inlineSchemaKeys(await readFile(path, 'utf8')),
      loader: 'js',
    }));
  },
};
