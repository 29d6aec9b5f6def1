// JSON Patch, RFC 6902, via fast-json-patch. Failures are 422 like the apiserver's jsonPatcher.
import * as jsonpatch from 'fast-json-patch';
import { ApiError } from '../../../shared/api/errors';
import { clone } from './util';

export function applyJsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw ApiError.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  try {
    return jsonpatch.applyPatch(clone(target), patch as jsonpatch.Operation[], true, false, false).newDocument;
  } catch (e) {
    const err = e as Error & { name?: string; operation?: { op?: string; path?: string } };
    if (err.name === 'TEST_OPERATION_FAILED') {
      throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${err.operation?.path ?? ''} failed`);
    }
    if (err.name === 'OPERATION_OP_INVALID' || err.name === 'OPERATION_NOT_AN_OBJECT' || err.name === 'SEQUENCE_NOT_AN_ARRAY') {
      throw ApiError.badRequest(err.message.split('\n')[0]);
    }
    throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${err.message.split('\n')[0]}`);
  }
}
