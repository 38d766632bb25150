import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emulatorEndpoint } from './clients.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The API action: `Action=` of query protocols, or the `X-Amz-Target` operation of JSON protocols. */
  action: string | undefined;
  /** The signing service from the Authorization header's credential scope (`sts`, `ec2`, ...). */
  service: string | undefined;
  /** The access key id that signed the request. */
  accessKeyId: string | undefined;
  /** The signing region from the same credential scope (`us-east-1`, ...). */
  region: string | undefined;
  /** Form parameters of query-protocol requests (`ExternalId`, `RoleArn`, ...). */
  params: Record<string, string>;
  /** When the whole request had arrived, in epoch milliseconds (fractional, from the monotonic clock). */
  receivedAt: number;
  /** When its answer was sent in full, in the same milliseconds; unset while pending and for a reset or lost answer. */
  answeredAt?: number;
  /** The HTTP status the caller got (the emulator's, an injected one, or a rate limit's); set with `answeredAt`. */
  status?: number;
  /**
   * The HTTP status the emulator answered with, once it has: set for every request the emulator applied or refused,
   * also when the proxy then lost the answer (`lose-answer`); unset for one the proxy answered itself (an injected
   * fault, a rate limit, a reset), or still holds. A test counts what the emulator really did by it.
   */
  upstreamStatus?: number;
}

export type RequestMatcher =
  | ((request: RecordedRequest) => boolean)
  | { action?: string; service?: string; accessKeyId?: string };

export type InjectedResponse =
  | { status: number; body?: string; headers?: Record<string, string> }
  /** Destroys the connection without an answer, as a network reset. */
  | 'reset'
  /**
   * Forwards the request, so the emulator applies it, then destroys the connection before the answer: the
   * change is made and its answer is lost (a reset after EC2 applied a revoke).
   */
  | 'lose-answer';

export interface RecordingProxy {
  endpoint: string;
  /** Every request that reached the proxy, in order (injected failures included). */
  requests: RecordedRequest[];
  clear(): void;
  /** Answers the next `times` matching requests with `response` instead of forwarding them. */
  failNext(match: RequestMatcher, response: InjectedResponse, times?: number): void;
  /**
   * Holds the next `times` matching requests `millis` before answering them (forwarded, or failed by `failNext`),
   * as a slow or hanging service. They are recorded when they arrive.
   */
  delayNext(match: RequestMatcher, millis: number, times?: number): void;
  /**
   * Applies a token bucket to the matching requests from now on, as AWS does per account and region (EC2's
   * mutating calls: 50, refilling 5 per second): a request finding its bucket empty is answered with
   * `response` (default EC2's `RequestLimitExceeded`, HTTP 503) and not forwarded. `key` says which bucket a
   * request draws from (default: one for all). Returns the bucket's counts, live.
   */
  rateLimit(match: RequestMatcher, options: RateLimitOptions): RateLimitCounts;
  /** Closes the proxy: held requests are dropped with their connections. */
  close(): Promise<void>;
}

export interface RateLimitOptions {
  capacity: number;
  refillPerSecond: number;
  key?: (request: RecordedRequest) => string;
  response?: { status: number; body?: string; headers?: Record<string, string> };
}

/** What a rate limit let through and refused, in total and by key. */
export interface RateLimitCounts {
  allowed: number;
  throttled: number;
  byKey: Map<string, { allowed: number; throttled: number }>;
}

interface RateLimit {
  match: RequestMatcher;
  options: RateLimitOptions;
  buckets: Map<string, { tokens: number; at: number }>;
  counts: RateLimitCounts;
}

interface Fault {
  match: RequestMatcher;
  response: InjectedResponse;
  remaining: number;
}

interface Delay {
  match: RequestMatcher;
  millis: number;
  remaining: number;
}

/**
 * A loopback HTTP proxy in front of the emulator: records requests (to count AssumeRole calls and see
 * their ExternalId) and injects faults (throttling, 5xx, resets, slow answers) that the emulator cannot produce.
 */
export async function startRecordingProxy(options: { target?: string } = {}): Promise<RecordingProxy> {
  const target = new URL(options.target ?? emulatorEndpoint());
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const delays: Delay[] = [];
  const limits: RateLimit[] = [];
  const held = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const answer = (recorded: RecordedRequest, body: Buffer): void => {
      const refusal = limits.find((l) => matches(l.match, recorded) && !takeToken(l, recorded));
      if (refusal) {
        const response = refusal.options.response ?? REQUEST_LIMIT_EXCEEDED;
        res.writeHead(response.status, response.headers ?? { 'content-type': 'text/xml' });
        res.end(response.body ?? '');
        return;
      }
      const fault = faults.find((f) => f.remaining > 0 && matches(f.match, recorded));
      if (fault) fault.remaining--;
      if (fault?.response === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault !== undefined && fault.response !== 'lose-answer') {
        res.writeHead(fault.response.status, fault.response.headers ?? { 'content-type': 'text/xml' });
        res.end(fault.response.body ?? '');
        return;
      }
      const loseAnswer = fault?.response === 'lose-answer';
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (upstreamRes) => {
          recorded.upstreamStatus = upstreamRes.statusCode;
          if (loseAnswer) {
            // The emulator has applied the request: read its answer to the end, then drop the connection.
            upstreamRes.resume();
            upstreamRes.on('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    };

    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded = describeRequest(
        req.method ?? 'GET',
        req.url ?? '/',
        req.headers,
        body.toString('utf8'),
      );
      requests.push(recorded);
      res.on('finish', () => {
        recorded.answeredAt = epochMillis();
        recorded.status = res.statusCode;
      });
      const delay = delays.find((d) => d.remaining > 0 && matches(d.match, recorded));
      if (!delay) {
        answer(recorded, body);
        return;
      }
      delay.remaining--;
      const timer = setTimeout(() => {
        held.delete(timer);
        answer(recorded, body);
      }, delay.millis);
      held.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    clear: () => {
      requests.length = 0;
    },
    failNext: (match, response, times = 1) => {
      faults.push({ match, response, remaining: times });
    },
    delayNext: (match, millis, times = 1) => {
      delays.push({ match, millis, remaining: times });
    },
    rateLimit: (match, options) => {
      const counts: RateLimitCounts = { allowed: 0, throttled: 0, byKey: new Map() };
      limits.push({ match, options, buckets: new Map(), counts });
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of held) clearTimeout(timer);
        held.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const REQUEST_LIMIT_EXCEEDED: NonNullable<RateLimitOptions['response']> = {
  status: 503,
  body: ec2Error('RequestLimitExceeded', 'Request limit exceeded.'),
};

/** Takes a token from the request's bucket, refilled for the time since it was last drawn; false when empty. */
function takeToken(limit: RateLimit, request: RecordedRequest): boolean {
  const key = limit.options.key?.(request) ?? '';
  const now = performance.now();
  const bucket = limit.buckets.get(key) ?? { tokens: limit.options.capacity, at: now };
  bucket.tokens = Math.min(
    limit.options.capacity,
    bucket.tokens + ((now - bucket.at) / 1000) * limit.options.refillPerSecond,
  );
  bucket.at = now;
  limit.buckets.set(key, bucket);
  const perKey = limit.counts.byKey.get(key) ?? { allowed: 0, throttled: 0 };
  limit.counts.byKey.set(key, perKey);
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    limit.counts.allowed++;
    perKey.allowed++;
    return true;
  }
  limit.counts.throttled++;
  perKey.throttled++;
  return false;
}

function matches(match: RequestMatcher, request: RecordedRequest): boolean {
  if (typeof match === 'function') return match(request);
  return (
    (match.action === undefined || match.action === request.action) &&
    (match.service === undefined || match.service === request.service) &&
    (match.accessKeyId === undefined || match.accessKeyId === request.accessKeyId)
  );
}

function describeRequest(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: string,
): RecordedRequest {
  const contentType = String(headers['content-type'] ?? '');
  const params: Record<string, string> = {};
  if (contentType.includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body)) params[key] = value;
  }
  const target = headers['x-amz-target'];
  const action = params.Action ?? (typeof target === 'string' ? target.split('.').pop() : undefined);
  const credential = /Credential=([^/]+)\/[^/]+\/([^/]+)\/([^/]+)\//.exec(
    String(headers.authorization ?? ''),
  );
  return {
    method,
    path,
    headers,
    body,
    action,
    service: credential?.[3],
    accessKeyId: credential?.[1],
    region: credential?.[2],
    params,
    receivedAt: epochMillis(),
  };
}

/** Epoch milliseconds with the monotonic clock's resolution (for durations between two of them). */
function epochMillis(): number {
  return performance.timeOrigin + performance.now();
}

/** An STS/EC2-style XML error body, as AWS answers with HTTP 4xx/5xx. */
export function awsQueryError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>`;
}

/** The EC2 flavour of an XML error body (`<Response><Errors>...`). */
export function ec2Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>`;
}
