// `pnpm synth`: writes the three templates to cdk.out/ and the standalone member-role template to
// templates/member-role.template.json. Fails (exit 1) if cdk-nag reports any unacknowledged finding.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { createApp } from '../lib/createApp.js';
import { formatTemplate } from '../lib/memberRoleTemplate.js';
import { DEFAULT_OUTDIR, MEMBER_ROLE_TEMPLATE_FILE } from '../lib/paths.js';

const outdir = process.argv[2] ?? DEFAULT_OUTDIR;
// Start from an empty assembly so stale bundles do not pile up; never empty a folder that is not one.
if (existsSync(outdir)) {
  const entries = readdirSync(outdir);
  if (entries.length > 0 && !entries.includes('manifest.json')) {
    throw new Error(`${outdir} is not a cloud assembly; refusing to empty it`);
  }
  rmSync(outdir, { recursive: true, force: true });
}
const { app, memberRoleTemplate } = createApp({ outdir });
const assembly = app.synth();
writeFileSync(MEMBER_ROLE_TEMPLATE_FILE, formatTemplate(memberRoleTemplate));

const cwd = process.cwd();
for (const stack of assembly.stacks) {
  console.log(`${stack.stackName}: ${relative(cwd, stack.templateFullPath)}`);
}
console.log(`member role (standalone, for StackSets): ${relative(cwd, MEMBER_ROLE_TEMPLATE_FILE)}`);
