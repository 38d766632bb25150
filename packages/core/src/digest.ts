const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;

/**
 * A 64-bit FNV-1a digest of a text's UTF-16 code units, as 16 hex digits. An identity, not a security measure
 * (core has no crypto module): it tells one set of rules from another in a ledger key.
 */
export function digestOf(text: string): string {
  let hash = FNV_OFFSET;
  for (let index = 0; index < text.length; index++) {
    hash ^= BigInt(text.charCodeAt(index));
    hash = (hash * FNV_PRIME) & MASK;
  }
  return hash.toString(16).padStart(16, '0');
}
