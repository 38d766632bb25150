/**
 * The alert document of an SQS body, raw or inside an SNS notification envelope, read as plain JSON without
 * validation (for the cheap peeks that key a message before, or instead of, `parseAlert`); `undefined` when
 * the body or the envelope's message is not a JSON object.
 */
export function readAlertDocument(body: string): unknown {
  const value = tryJson(body);
  const envelope = value as { Type?: unknown; Message?: unknown } | undefined;
  if (envelope && envelope.Type === 'Notification' && typeof envelope.Message === 'string') {
    return tryJson(envelope.Message);
  }
  return value;
}

function tryJson(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
