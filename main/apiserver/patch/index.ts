// Entry point of the four PATCH content types.
import { ApiError } from '../../../shared/api/errors';
import type { PatchType } from '../types';
import { applyJsonPatch } from './json-patch';
import { applyMergePatch } from './merge-patch';
import { applyStrategicMergePatch } from './strategic-merge';

export { applyJsonPatch } from './json-patch';
export { applyMergePatch } from './merge-patch';
export { applyStrategicMergePatch } from './strategic-merge';
export { serverSideApply, type ApplyInput } from './apply';
export { listStrategy } from './merge-keys';
export { recordUpdate, type UpdateManager } from './managed-fields';

/** json-patch, merge-patch and strategic-merge-patch (apply has its own path: it needs managers). */
export function applyPatch(type: PatchType, original: unknown, patch: unknown, kind?: string): unknown {
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(original, patch);
    case 'application/merge-patch+json':
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw ApiError.badRequest('a merge patch must be a JSON object');
      return applyMergePatch(original, patch);
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(original, patch, { kind });
    default:
      throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`);
  }
}
