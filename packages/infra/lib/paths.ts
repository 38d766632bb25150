import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** packages/infra */
export const INFRA_ROOT = resolve(here, '..');
/** The repository root: the pnpm workspace, whose lock file NodejsFunction reads. */
export const REPO_ROOT = resolve(INFRA_ROOT, '..', '..');
export const LOCK_FILE = join(REPO_ROOT, 'pnpm-lock.yaml');
/** The hub Lambda's entry point, bundled by esbuild through NodejsFunction. */
export const HANDLER_ENTRY = join(REPO_ROOT, 'packages', 'hub-handler', 'src', 'lambda.ts');
/** The committed, standalone member-role template an operator can hand to StackSets. */
export const MEMBER_ROLE_TEMPLATE_FILE = join(INFRA_ROOT, 'templates', 'member-role.template.json');
export const DEFAULT_OUTDIR = join(INFRA_ROOT, 'cdk.out');

/**
 * CDK runs `pnpm exec esbuild` from the workspace root (where the lock file is), but esbuild is a
 * dependency of this package, not of the root: put this package's bin folder first on the bundler's PATH.
 */
export function bundlerPath(): string {
  return [join(INFRA_ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter);
}
