import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { utf8Length } from '../../src/sources/fields.js';

describe('utf8Length', () => {
  it.each([
    ['empty', ''],
    ['ASCII', 'arn:aws:securityhub:us-east-1:111111111111:security-control/EC2.18/finding/x'],
    ['two-byte characters', 'é ß Ω'],
    ['three-byte characters', '日本語 €'],
    ['surrogate pairs (four bytes)', '😀 𝄞'],
    ['a lone high surrogate, as U+FFFD', 'a\ud800b'],
    ['a lone high surrogate at the end', 'a\ud800'],
    ['a lone low surrogate', 'a\udc00b'],
  ])('counts %s as Node encodes them', (_case, text) => {
    expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});
