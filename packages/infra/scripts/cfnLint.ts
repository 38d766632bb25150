// `pnpm cfn-lint FILES...`: the pinned cfn-lint the infra tests use, installed into .cache/ the first time,
// so that docs/deployment.md's lint step works from a fresh clone (not only after `pnpm test`).
import { spawnSync } from 'node:child_process';
import { ensurePythonTool } from '@remediation-hub/testkit';

/** cfn-lint from PyPI, pinned, in a virtualenv under the repository's `.cache/`. */
export const CFN_LINT = { name: 'cfn-lint', requirement: 'cfn-lint==1.58.0', bin: 'cfn-lint' } as const;

if (import.meta.url === `file://${process.argv[1]}`) {
  const cfnLint = await ensurePythonTool(CFN_LINT, {
    onProgress: (line) => {
      if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
    },
  });
  const result = spawnSync(cfnLint, process.argv.slice(2), { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
