// pods/portforward: placeholder until the SPDY framing lands.
import { ApiError } from '../../../shared/api/errors';
import type { ConnectHandler } from '../../apiserver/http/connect';
import type { StreamingBackend } from './pod-containers';

export function podPortForwardHandler(_backend: StreamingBackend): ConnectHandler {
  return () => {
    throw ApiError.badRequest('pods/portforward is not supported yet');
  };
}
