// `kubectl exec -it` for the dashboard: the Kubernetes remote-command WebSocket protocol
// (v5.channel.k8s.io, v4 as fallback). Every binary message starts with a channel byte: 0 stdin,
// 1 stdout, 2 stderr, 3 the final Status (exit code), 4 terminal size as JSON {"Width","Height"}.
// The token rides in the bearer sub-protocol, as for watches (browsers cannot set headers here).
import { onScopeDispose, ref } from 'vue';
import type { Status } from '../../shared/api/meta';
import { withQuery } from '../api/paths';
import { bearerProtocol, webSocketUrl, type WebSocketConstructor, type WebSocketLike } from '../api/watch-socket';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;

export type TerminalState = 'idle' | 'connecting' | 'connected' | 'exited' | 'failed' | 'closed';

export interface ExecTarget {
  apiUrl: string;
  token: string;
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
}

export function execPath(target: Omit<ExecTarget, 'apiUrl' | 'token'>): string {
  const base = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/exec`;
  const query = withQuery(base, { container: target.container, stdin: true, stdout: true, tty: true });
  return `${query}${target.command.map((c) => `&command=${encodeURIComponent(c)}`).join('')}`;
}

/** The exit code a channel-3 Status reports: 0 for Success, the ExitCode cause for NonZeroExitCode. */
export function exitCodeOf(status: Status): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause?.message !== undefined ? Number(cause.message) : undefined;
}

export interface ExecCallbacks {
  output(data: Uint8Array): void;
  state(state: TerminalState, detail?: { exitCode?: number; message?: string }): void;
}

/** One exec session over a WebSocket; framework-free so it can be driven by tests with `ws`. */
export class ExecSession {
  private socket: WebSocketLike | undefined;
  private finished = false;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly Socket: WebSocketConstructor,
    private readonly callbacks: ExecCallbacks,
  ) {}

  open(target: ExecTarget, size: { cols: number; rows: number }): void {
    this.callbacks.state('connecting');
    const socket = new this.Socket(webSocketUrl(`${target.apiUrl}${execPath(target)}`), [bearerProtocol(target.token), ...EXEC_PROTOCOLS]);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.callbacks.state('connected');
      this.resize(size.cols, size.rows);
    };
    socket.onmessage = (message) => {
      const data = message.data instanceof ArrayBuffer ? new Uint8Array(message.data) : ArrayBuffer.isView(message.data) ? new Uint8Array(message.data.buffer, message.data.byteOffset, message.data.byteLength) : undefined;
      if (!data || data.length === 0) return;
      const payload = data.subarray(1);
      if (data[0] === STDOUT || data[0] === STDERR) this.callbacks.output(payload);
      else if (data[0] === ERROR) this.finish(JSON.parse(new TextDecoder().decode(payload)) as Status);
    };
    socket.onclose = (event) => {
      if (this.finished) return;
      this.finished = true;
      // A refused upgrade never opens; browsers hide the HTTP answer, so name the likely causes.
      this.callbacks.state('failed', { message: opened ? `connection closed (${event.code})` : undefined });
    };
    socket.onerror = () => {};
  }

  private finish(status: Status): void {
    if (this.finished) return;
    this.finished = true;
    const exitCode = exitCodeOf(status);
    if (exitCode !== undefined) this.callbacks.state('exited', { exitCode, message: status.message });
    else this.callbacks.state('failed', { message: status.message });
    this.socket?.close(1000);
  }

  private send(channel: number, bytes: Uint8Array): void {
    const socket = this.socket as (WebSocketLike & { send(data: Uint8Array): void }) | undefined;
    if (!socket || socket.readyState !== 1) return;
    const frame = new Uint8Array(bytes.length + 1);
    frame[0] = channel;
    frame.set(bytes, 1);
    socket.send(frame);
  }

  input(text: string): void {
    this.send(STDIN, this.encoder.encode(text));
  }

  resize(cols: number, rows: number): void {
    if (cols > 0 && rows > 0) this.send(RESIZE, this.encoder.encode(JSON.stringify({ Width: cols, Height: rows })));
  }

  close(): void {
    this.finished = true;
    if (this.socket && this.socket.readyState <= 1) this.socket.close(1000);
  }
}

/** Reactive state around ExecSession for PodTerminal.vue; the session closes with the component. */
export function useTerminal() {
  const state = ref<TerminalState>('idle');
  const exitCode = ref<number | undefined>();
  const message = ref<string | undefined>();
  let session: ExecSession | undefined;

  function connect(target: ExecTarget, size: { cols: number; rows: number }, output: (data: Uint8Array) => void): ExecSession | undefined {
    session?.close();
    exitCode.value = undefined;
    message.value = undefined;
    const Socket = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Socket) {
      state.value = 'failed';
      return undefined;
    }
    session = new ExecSession(Socket, {
      output,
      state: (next, detail) => {
        state.value = next;
        exitCode.value = detail?.exitCode;
        message.value = detail?.message;
      },
    });
    session.open(target, size);
    return session;
  }

  onScopeDispose(() => session?.close());
  function disconnect(): void {
    session?.close();
    session = undefined;
    state.value = 'closed';
  }

  return { state, exitCode, message, connect, disconnect, input: (text: string) => session?.input(text), resize: (cols: number, rows: number) => session?.resize(cols, rows) };
}
