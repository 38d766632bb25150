import * as z from 'zod';
import { groupThousands } from '../groupThousands.js';
import { isAwsRegion } from '../regions.js';

/**
 * The fields every source's parser reads, with the bounds of the ledger: a finding's id is the partition key, its
 * group the `byResource` index key and its account the `byAccount` one, and DynamoDB refuses a partition key
 * over 2,048 bytes and a sort key over 1,024. Bounding them here turns such a finding into a `rejected` record
 * at parse time instead of a failed ledger write.
 */

export const OBJECT = 'expected an object';
export const STRING = 'expected a string';
export const NON_EMPTY = 'expected a non-empty string';

/** A finding id's bound: half of DynamoDB's 2,048-byte partition key, leaving room for prefixes. */
export const MAX_ID_BYTES = 1024;

/** UTF-8 length of a string, without encoding it: a surrogate pair is 4 bytes, a lone surrogate 3 (U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) {
      bytes += 1;
      continue;
    }
    bytes += 2;
    const pair = (code & 0xfc00) === 0xd800 && (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00;
    if (pair) index++;
  }
  return bytes;
}

/** A finding id: a non-empty string of at most `MAX_ID_BYTES` UTF-8 bytes. */
export const findingIdSchema = z
  .string({ error: STRING })
  .min(1, { error: NON_EMPTY })
  .refine((id) => id.length <= MAX_ID_BYTES && utf8Length(id) <= MAX_ID_BYTES, {
    error: `expected at most ${groupThousands(MAX_ID_BYTES)} UTF-8 bytes`,
  });

/** An AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
export const accountIdSchema = z
  .string({ error: 'expected 12 digits' })
  .regex(ACCOUNT_ID, { error: 'expected 12 digits' });

/** A security group id: `sg-` and 1 to 64 lower-case letters or digits (AWS uses 8 or 17 hex digits). */
export const GROUP_ID = /^sg-[0-9a-z]{1,64}$/;
export const groupIdSchema = z
  .string({ error: STRING })
  .regex(GROUP_ID, { error: 'expected a security group id (sg-...)' });

/** A region as AWS spells it, one of `AWS_REGIONS`. */
export const regionSchema = z
  .string({ error: STRING })
  .refine(isAwsRegion, { error: 'expected an AWS region such as us-east-1' });

/** A control, signature or policy id: bounded, as the ledger records it. */
export const controlIdSchema = z
  .string({ error: STRING })
  .min(1, { error: NON_EMPTY })
  .max(256, { error: 'expected at most 256 characters' });
