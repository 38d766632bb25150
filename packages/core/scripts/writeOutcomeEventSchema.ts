// Writes the outcome event's JSON Schema (draft 2020-12) from its zod definition:
// `node --import tsx packages/core/scripts/writeOutcomeEventSchema.ts` (or `pnpm --dir packages/core schema`).
// A test fails while the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { OUTCOME_EVENT_SCHEMA_FILE, outcomeEventJsonSchemaText } from './outcomeEventJsonSchema.js';

writeFileSync(OUTCOME_EVENT_SCHEMA_FILE, outcomeEventJsonSchemaText());
console.log(`wrote ${OUTCOME_EVENT_SCHEMA_FILE}`);
