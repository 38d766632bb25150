import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';

export type CfnTemplate = {
  Parameters?: Record<string, { Type: string; Default?: unknown; [key: string]: unknown }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;
  Outputs?: Record<string, unknown>;
  Rules?: Record<string, unknown>;
  [key: string]: unknown;
};

/** The folder of the app synthesized once by the project's global setup. */
export function assemblyDir(): string {
  return inject('infraAssemblyDir');
}

export function templatePath(stackName: string): string {
  return join(assemblyDir(), `${stackName}.template.json`);
}

export function readTemplate(stackName: string): CfnTemplate {
  return JSON.parse(readFileSync(templatePath(stackName), 'utf8')) as CfnTemplate;
}

export function templateOf(stackName: string): Template {
  return Template.fromJSON(readTemplate(stackName));
}

export function assemblyFiles(): string[] {
  return readdirSync(assemblyDir());
}

/** The one resource of a type with these properties' keys; fails if there is not exactly one. */
export function onlyResource(
  template: CfnTemplate,
  type: string,
  where: (properties: Record<string, unknown>) => boolean = () => true,
) {
  const matches = Object.entries(template.Resources).filter(
    ([, resource]) => resource.Type === type && where(resource.Properties ?? {}),
  );
  if (matches.length !== 1) throw new Error(`expected one ${type}, found ${matches.length}`);
  const [logicalId, resource] = matches[0] as [string, CfnTemplate['Resources'][string]];
  return { logicalId, properties: resource.Properties ?? {}, resource };
}

/** The template with asset hashes (the bundled handler changes with every hub-handler commit) replaced. */
export function stripAssetHashes(template: CfnTemplate): CfnTemplate {
  return JSON.parse(
    JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip)?/g, '<asset-hash>$1'),
  ) as CfnTemplate;
}

/** The folder of a bundled function's asset in the assembly, named by the hash in its `Code` (`<hash>.zip`). */
export function assetFolderOf(functionProperties: Record<string, unknown>): string {
  const hash = JSON.stringify(functionProperties.Code).match(/([0-9a-f]{64})\.zip/)?.[1];
  if (hash === undefined) throw new Error('the function has no bundled asset');
  return join(assemblyDir(), `asset.${hash}`);
}
