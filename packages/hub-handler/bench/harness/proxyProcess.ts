/**
 * The recording proxy in a process of its own, so that the CPU a benchmark measures in its own process is the
 * hub's (or the replay's) and not the proxy's. The parent forks this file with `--import tsx` and talks to it over
 * IPC: `{ type: 'take' }` answers with every request recorded since the last take (and forgets them);
 * `{ type: 'close' }` ends it.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RecordedRequest, startRecordingProxy } from '@remediation-hub/testkit';

/** What crosses the process boundary of a recorded request. */
export type ProxiedCall = Pick<
  RecordedRequest,
  | 'service'
  | 'action'
  | 'region'
  | 'accessKeyId'
  | 'params'
  | 'body'
  | 'receivedAt'
  | 'answeredAt'
  | 'status'
  | 'upstreamStatus'
>;

type Request = { type: 'take' } | { type: 'close' };
type Reply = { type: 'ready'; endpoint: string } | { type: 'taken'; calls: ProxiedCall[] };

export interface ProxyProcess {
  endpoint: string;
  /** The requests recorded since the last take, in arrival order. */
  take(): Promise<ProxiedCall[]>;
  close(): Promise<void>;
}

/** Forks the proxy in front of `target` and waits for its endpoint. */
export async function startProxyProcess(target: string): Promise<ProxyProcess> {
  const child = fork(fileURLToPath(import.meta.url), ['--serve', target], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: Array<{ resolve: (reply: Reply) => void; reject: (error: Error) => void }> = [];
  child.on('message', (reply: Reply) => replies.shift()?.resolve(reply));
  child.on('exit', (code) => {
    for (const pending of replies.splice(0)) pending.reject(new Error(`the proxy process exited (${code})`));
  });
  const next = () => new Promise<Reply>((resolve, reject) => replies.push({ resolve, reject }));
  const ready = await next();
  if (ready.type !== 'ready') throw new Error('the proxy process did not start');
  return {
    endpoint: ready.endpoint,
    take: async () => {
      const answer = next();
      child.send({ type: 'take' } satisfies Request);
      const reply = await answer;
      return reply.type === 'taken' ? reply.calls : [];
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ type: 'close' } satisfies Request);
      await exited;
    },
  };
}

async function serve(target: string): Promise<void> {
  const proxy = await startRecordingProxy({ target });
  const send = (reply: Reply) => process.send?.(reply);
  process.on('message', async (request: Request) => {
    if (request.type === 'take') {
      // What the parent needs of each request, without the raw HTTP (method, path, headers).
      const calls = proxy.requests.map(
        ({ method: _method, path: _path, headers: _headers, ...call }) => call,
      );
      proxy.clear();
      send({ type: 'taken', calls });
    } else {
      await proxy.close();
      process.exit(0);
    }
  });
  // The parent gone (killed, crashed): nothing left to record for.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', endpoint: proxy.endpoint });
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt !== -1) await serve(process.argv[serveAt + 1] as string);
