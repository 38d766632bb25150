import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { OUTCOME_EVENT, OUTCOME_EVENT_SCHEMA_VERSION } from '../src/outcomeEvent.js';

/** The committed JSON Schema of the current version of the outcome event. */
export const OUTCOME_EVENT_SCHEMA_FILE = fileURLToPath(
  new URL(`../schema/outcome-event.v${OUTCOME_EVENT_SCHEMA_VERSION}.schema.json`, import.meta.url),
);

/** The JSON Schema of the outcome event (draft 2020-12), as the committed file holds it. */
export function outcomeEventJsonSchemaText(): string {
  const schema = {
    $id: `urn:remediation-hub:outcome-event:v${OUTCOME_EVENT_SCHEMA_VERSION}`,
    title: `remediation-hub outcome event, version ${OUTCOME_EVENT_SCHEMA_VERSION}`,
    description:
      'One event per completed notification and per undo, published on the outcome topic after the ledger write. Generated from packages/core/src/outcomeEvent.ts; do not edit.',
    ...z.toJSONSchema(OUTCOME_EVENT, { target: 'draft-2020-12', io: 'output' }),
  };
  return `${JSON.stringify(schema, null, 2)}\n`;
}
