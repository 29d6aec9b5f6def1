// How the proxy reaches an endpoint from the host: the pod's sandbox (pause container) publishes every
// containerPort on 127.0.0.1 with an ephemeral host port (main/kubelet/container-start.ts). Like
// kube-proxy, which runs on the node and programs the node's own network, the proxy asks the node's
// container runtime directly (the sandbox is found by the pod-uid label), not the API. Answers are
// cached per pod and port; a failed dial forgets them (a restarted sandbox publishes new ports).
import { RuntimeLabels, type ContainerRuntime } from '../runtime/runtime';
import type { BackendResolver, BackendTarget, ProxyEndpoint } from './service-proxy';

const cacheKey = (ep: ProxyEndpoint): string => `${ep.podUid ?? ep.ip}:${ep.port}`;

export function publishedPortResolver(runtime: ContainerRuntime): BackendResolver {
  const cache = new Map<string, BackendTarget>();
  return {
    async resolve(ep) {
      const hit = cache.get(cacheKey(ep));
      if (hit) return hit;
      if (!ep.podUid) return undefined;
      const sandboxes = await runtime.listContainers({ [RuntimeLabels.podUid]: ep.podUid, [RuntimeLabels.container]: 'POD' });
      const running = sandboxes.find((s) => s.state === 'running');
      const published = running?.ports?.find((p) => p.containerPort === ep.port && p.protocol === 'TCP');
      if (!published) return undefined;
      const target = { host: published.hostIP && published.hostIP !== '0.0.0.0' ? published.hostIP : '127.0.0.1', port: published.hostPort };
      cache.set(cacheKey(ep), target);
      return target;
    },
    forget(ep) {
      cache.delete(cacheKey(ep));
    },
  };
}
