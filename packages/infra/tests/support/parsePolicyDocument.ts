/**
 * An IAM policy document as IAM's Get* APIs answer it, parsed. AWS sends the JSON URL-encoded (RFC 3986), and
 * SDK v3 does not decode it; moto 5.2 does the same for a role's trust policy, but answers GetRolePolicy for
 * an inline policy that CloudFormation created with the Python repr of the document
 * (`{'Version': '2012-10-17', ...}`, `None` for an `AWS::NoValue` left in a list). Both forms are read here,
 * exactly: anything else throws, so a change on the emulator's side fails a test instead of passing it empty.
 */
export function parsePolicyDocument(text: string | undefined): unknown {
  if (text === undefined) throw new Error('no policy document');
  const decoded = text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
  try {
    return JSON.parse(decoded);
  } catch {
    return JSON.parse(pythonLiteralAsJson(decoded));
  }
}

/** Python literal tokens: whitespace, quoted strings, None/True/False, numbers, punctuation. */
const TOKEN =
  /\s+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|None\b|True\b|False\b|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[{}[\]:,]/y;

/** A Python literal of dicts, lists, strings, numbers, booleans and None, rewritten as JSON. */
function pythonLiteralAsJson(text: string): string {
  let json = '';
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const token = TOKEN.exec(text)?.[0];
    if (token === undefined)
      throw new Error(`not a JSON or Python literal near ${JSON.stringify(text.slice(at, at + 20))}`);
    if (token.startsWith("'") || token.startsWith('"'))
      json += JSON.stringify(unescapePython(token.slice(1, -1)));
    else if (token === 'None') json += 'null';
    else if (token === 'True') json += 'true';
    else if (token === 'False') json += 'false';
    else json += token;
  }
  return json;
}

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' };

function unescapePython(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, sequence: string) => {
    if (sequence.length > 1) return String.fromCodePoint(Number.parseInt(sequence.slice(1), 16));
    const plain = ESCAPES[sequence];
    if (plain === undefined) throw new Error(`unknown Python escape \\${sequence}`);
    return plain;
  });
}
