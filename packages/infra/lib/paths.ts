import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** packages/infra */
export const INFRA_ROOT = resolve(here, '..');
/** The repository root: the pnpm workspace, where esbuild runs (input paths in the metafile are relative to it). */
export const REPO_ROOT = resolve(INFRA_ROOT, '..', '..');
/** The hub Lambda's entry point, bundled by esbuild (lib/hubBundling.ts). */
export const HANDLER_ENTRY = join(REPO_ROOT, 'packages', 'hub-handler', 'src', 'lambda.ts');
/** The committed, standalone member-role template an operator can hand to StackSets. */
export const MEMBER_ROLE_TEMPLATE_FILE = join(INFRA_ROOT, 'templates', 'member-role.template.json');
export const DEFAULT_OUTDIR = join(INFRA_ROOT, 'cdk.out');
