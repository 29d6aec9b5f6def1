// The raw Docker Engine API over its Unix socket, with no client library: the baseline pod start-up is
// compared with ("docker create + start of the same image"), and the way a benchmark kills a container.
import { request } from 'node:http';

const SOCKET = process.env.DOCKER_SOCKET ?? '/var/run/docker.sock';

export function dockerApi(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      { socketPath: SOCKET, method, path, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** docker create + start; resolves when the engine says it started; answers the container id. */
export async function rawCreateStart(image: string, cmd: string[], labels: Record<string, string>): Promise<string> {
  const created = await dockerApi('POST', '/containers/create', { Image: image, Cmd: cmd, Labels: labels, HostConfig: { AutoRemove: false } });
  if (created.status !== 201) throw new Error(`docker create: ${created.status} ${JSON.stringify(created.json)}`);
  const started = await dockerApi('POST', `/containers/${created.json.Id}/start`);
  if (started.status !== 204) throw new Error(`docker start: ${started.status} ${JSON.stringify(started.json)}`);
  return created.json.Id as string;
}

export async function removeContainers(labelFilter: string): Promise<void> {
  const filters = encodeURIComponent(JSON.stringify({ label: [labelFilter] }));
  const list = await dockerApi('GET', `/containers/json?all=1&filters=${filters}`);
  await Promise.all((list.json as Array<{ Id: string }>).map((c) => dockerApi('DELETE', `/containers/${c.Id}?force=1`)));
}
