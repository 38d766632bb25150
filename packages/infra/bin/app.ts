// The CDK app, for the CDK CLI (`cdk.json`: `npx tsx bin/app.ts`); `bin/synth.ts` is the local entry.
import { createApp } from '../lib/createApp.js';

createApp().app.synth();
