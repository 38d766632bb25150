type Env = Readonly<Record<string, string | undefined>>;

/** What a failure's text says about the network, whichever layer wrapped it. */
const NETWORK = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH)\b/;

/**
 * The one line the CLI prints for an error that reached it: what is wrong and what to do, instead of the
 * raw text of the SDK or of Node (`connect ECONNREFUSED 127.0.0.1:45998`, `SyntaxError: Unexpected token '<'`,
 * `ResourceNotFoundException`). `undefined` when the error's own message is already that line.
 */
export function explainError(error: unknown, env: Env = process.env): string | undefined {
  const text = chainText(error);
  const endpoint = env.AWS_ENDPOINT_URL?.trim() || undefined;
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;
  const where =
    endpoint === undefined ? `AWS in ${region ?? 'the configured region'}` : `the emulator at ${endpoint}`;

  const network = NETWORK.exec(text)?.[1];
  if (network !== undefined) {
    return endpoint === undefined
      ? `cannot reach AWS in ${region ?? 'the configured region'} (${network}): check the network, and AWS_REGION`
      : `cannot reach the emulator at ${endpoint} (${network}): is it running? Start one (\`pnpm demo\` starts its own), or set AWS_ENDPOINT_URL to one that is`;
  }
  if (
    /Deserialization error|Unexpected token '<'|Expected closing tag|non-whitespace before first tag/i.test(
      text,
    )
  ) {
    return `${where} answered with something that is not an AWS response: check AWS_REGION (${JSON.stringify(region ?? '')}) and AWS_ENDPOINT_URL${endpoint === undefined ? '' : ` (${endpoint})`}`;
  }
  // A table made before an index was added (AWS: a ValidationException; moto: a ResourceNotFoundException).
  const index =
    /does not have the specified index: ([\w.-]+)|Invalid index: ([\w.-]+) for table: ([\w.-]+?)\.?(?=\s|$)/.exec(
      text,
    );
  if (index !== null) {
    const table = index[3] === undefined ? '' : `${index[3]} `;
    return `the table ${table}has no index ${index[1] ?? index[2]} in ${where}: a table made before that index existed gets it from a stack update, one index per update (docs/deployment.md, "Upgrading the ledger's indexes")`;
  }
  if (/\bResourceNotFoundException\b/.test(text)) {
    const table = env.LEDGER_TABLE?.trim() || undefined;
    return `the ledger table ${table === undefined ? '' : `${table} `}does not exist in ${where}: check LEDGER_TABLE (or --table) and AWS_REGION; \`remediation-hub local up\` creates one on an emulator`;
  }
  if (/NonExistentQueue|QueueDoesNotExist/.test(text)) {
    return `the queue does not exist in ${where}: check --queue-url or QUEUE_URL (\`remediation-hub local up\` prints it)`;
  }
  if (/Region is missing/i.test(text)) {
    return 'no region: set AWS_REGION (e.g. us-east-1), or a region for your AWS_PROFILE in ~/.aws/config';
  }
  if (/Could not load credentials|CredentialsProviderError/i.test(text)) {
    return `no AWS credentials: set AWS_PROFILE or AWS_ACCESS_KEY_ID (an emulator takes any keys)`;
  }
  return undefined;
}

/** The error's messages and codes, and its causes', as one text. */
function chainText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (current instanceof Error) {
      parts.push(current.name, current.message, String((current as { code?: unknown }).code ?? ''));
      current = current.cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' ');
}
