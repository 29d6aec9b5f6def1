// Streaming subresources of pods — log, exec, attach, portforward — served by the kubelet side and
// plugged into the apiserver's HTTP layer (main/apiserver/http/connect.ts).
import type { ConnectHandler } from '../../apiserver/http/connect';
import { podAttachHandler, podExecHandler } from './exec';
import { podLogHandler } from './log';
import { podPortForwardHandler } from './portforward';
import type { StreamingBackend } from './pod-containers';

export type { StreamingBackend } from './pod-containers';

/** The part of ApiHttpServer that streaming needs. */
export interface ConnectRegistrar {
  registerConnect(group: string, resource: string, subresource: string, handler: ConnectHandler): void;
}

export function registerPodStreaming(http: ConnectRegistrar, backend: StreamingBackend): void {
  http.registerConnect('', 'pods', 'log', podLogHandler(backend));
  http.registerConnect('', 'pods', 'exec', podExecHandler(backend));
  http.registerConnect('', 'pods', 'attach', podAttachHandler(backend));
  http.registerConnect('', 'pods', 'portforward', podPortForwardHandler(backend));
}
