import { describe, expect, it } from 'vitest';
import { parseApiPath } from '../../../../main/apiserver/http/routing';

const info = (method: string, path: string, watch: string | null = null) => {
  const parsed = parseApiPath(method, path, watch);
  return parsed.type === 'resource' ? { ...parsed.info } : parsed;
};

describe('parseApiPath (RequestInfo like k8s.io/apiserver)', () => {
  it.each([
    ['GET', '/api/v1/pods', { verb: 'list', group: '', version: 'v1', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/default/pods', { verb: 'list', group: '', version: 'v1', resource: 'pods', namespace: 'default' }],
    ['GET', '/api/v1/namespaces/default/pods/web-1', { verb: 'get', group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'web-1' }],
    ['GET', '/api/v1/namespaces/default/pods/web-1/log', { verb: 'get', group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'web-1', subresource: 'log' }],
    ['POST', '/api/v1/namespaces/default/pods', { verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'default' }],
    ['POST', '/api/v1/namespaces/default/pods/web-1/eviction', { verb: 'create', group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'web-1', subresource: 'eviction' }],
    ['PUT', '/api/v1/namespaces/default/pods/web-1/status', { verb: 'update', group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'web-1', subresource: 'status' }],
    ['PATCH', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', { verb: 'patch', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns1', name: 'web', subresource: 'scale' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns1/deployments/web', { verb: 'delete', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns1', name: 'web' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns1/deployments', { verb: 'deletecollection', group: 'apps', version: 'v1', resource: 'deployments', namespace: 'ns1' }],
    ['GET', '/apis/apps/v1/deployments', { verb: 'list', group: 'apps', version: 'v1', resource: 'deployments' }],
    // The namespace object itself, and its status/finalize subresources.
    ['GET', '/api/v1/namespaces', { verb: 'list', group: '', version: 'v1', resource: 'namespaces' }],
    ['GET', '/api/v1/namespaces/team-a', { verb: 'get', group: '', version: 'v1', resource: 'namespaces', name: 'team-a' }],
    ['PUT', '/api/v1/namespaces/team-a/status', { verb: 'update', group: '', version: 'v1', resource: 'namespaces', name: 'team-a', subresource: 'status' }],
    ['PUT', '/api/v1/namespaces/team-a/finalize', { verb: 'update', group: '', version: 'v1', resource: 'namespaces', name: 'team-a', subresource: 'finalize' }],
    ['DELETE', '/api/v1/namespaces/team-a', { verb: 'delete', group: '', version: 'v1', resource: 'namespaces', name: 'team-a' }],
    ['GET', '/api/v1/nodes/node-1', { verb: 'get', group: '', version: 'v1', resource: 'nodes', name: 'node-1' }],
    // Legacy watch prefix.
    ['GET', '/api/v1/watch/namespaces/default/pods', { verb: 'watch', group: '', version: 'v1', resource: 'pods', namespace: 'default' }],
    ['GET', '/api/v1/watch/namespaces/default/pods/web-1', { verb: 'watch', group: '', version: 'v1', resource: 'pods', namespace: 'default', name: 'web-1' }],
    ['GET', '/apis/apps/v1/watch/deployments', { verb: 'watch', group: 'apps', version: 'v1', resource: 'deployments' }],
    // Percent-encoded names are decoded.
    ['GET', '/api/v1/namespaces/default/configmaps/a%3Ab', { verb: 'get', group: '', version: 'v1', resource: 'configmaps', namespace: 'default', name: 'a:b' }],
  ])('%s %s', (method, path, expected) => {
    expect(info(method, path)).toEqual(expected);
  });

  it('treats ?watch=true and ?watch=1 as watch, other values as list', () => {
    expect(info('GET', '/api/v1/pods', 'true')).toMatchObject({ verb: 'watch' });
    expect(info('GET', '/api/v1/pods', '1')).toMatchObject({ verb: 'watch' });
    expect(info('GET', '/api/v1/pods', 'false')).toMatchObject({ verb: 'list' });
    expect(info('GET', '/api/v1/namespaces/default/pods/p', 'true')).toMatchObject({ verb: 'watch', name: 'p' });
  });

  it('recognises discovery paths', () => {
    expect(parseApiPath('GET', '/api', null)).toEqual({ type: 'discovery-root', legacy: true });
    expect(parseApiPath('GET', '/apis', null)).toEqual({ type: 'discovery-root', legacy: false });
    expect(parseApiPath('GET', '/apis/apps', null)).toEqual({ type: 'discovery-group', group: 'apps' });
    expect(parseApiPath('GET', '/api/v1', null)).toEqual({ type: 'discovery-version', group: '', version: 'v1' });
    expect(parseApiPath('GET', '/apis/apps/v1/', null)).toEqual({ type: 'discovery-version', group: 'apps', version: 'v1' });
  });

  it('rejects methods that have no verb and paths that are too deep or malformed', () => {
    expect(parseApiPath('PUT', '/api/v1/namespaces/default/pods', null)).toEqual({ type: 'method-not-allowed' });
    expect(parseApiPath('PATCH', '/api/v1/pods', null)).toEqual({ type: 'method-not-allowed' });
    expect(parseApiPath('TRACE', '/api/v1/pods', null)).toEqual({ type: 'method-not-allowed' });
    expect(parseApiPath('GET', '/api/v1/namespaces/default/pods/a/b/c', null)).toEqual({ type: 'not-found' });
    expect(parseApiPath('GET', '/api/v1/namespaces/default/pods/a%2Fb', null)).toEqual({ type: 'not-found' });
    expect(parseApiPath('GET', '/api/v1/namespaces/default/pods/%E0%A4%A', null)).toEqual({ type: 'not-found' });
  });
});

describe('parseApiPath path hygiene', () => {
  it('names nothing with an empty inner segment, but tolerates outer slashes', () => {
    expect(parseApiPath('GET', '/api/v1//namespaces', null)).toEqual({ type: 'not-found' });
    expect(parseApiPath('GET', '/api/v1/namespaces/', null)).toMatchObject({ type: 'resource', info: { verb: 'list', resource: 'namespaces' } });
  });

  it.each([
    ['/api/v1/namespaces/../configmaps', 'invalid namespace "..": may not be \'..\''],
    ['/api/v1/namespaces/%2e%2e/configmaps', 'invalid namespace "..": may not be \'..\''],
    ['/api/v1/namespaces/default/configmaps/.', 'invalid resource name ".": may not be \'.\''],
    ['/api/v1/namespaces/default/configmaps/a%2525b', 'invalid resource name "a%25b": may not contain \'%\''],
  ])('rejects %s like apimachinery IsValidPathSegmentName', (path, message) => {
    expect(parseApiPath('GET', path, null)).toEqual({ type: 'bad-request', message });
  });
});
