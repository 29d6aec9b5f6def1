// Answers handed over already serialized. A list of 1,000 pods costs about as much to copy out of the
// store (JSON.parse of every item) as to serialize again (JSON.stringify of the answer); a caller that
// only writes the answer as JSON can instead take the stored JSON text of each item, spliced into the
// list. Only callers that say so (the HTTP layer, for JSON answers) ever get one; everyone else keeps
// getting plain, mutable objects.
import type { ApiRequest } from '../types';

/** An answer as the exact JSON text JSON.stringify would have produced for it. */
export class SerializedJson {
  constructor(readonly json: string) {}
}

const jsonOnly = new WeakSet<ApiRequest>();

/** Marks a request whose answer will only be written out as JSON: it may come back as SerializedJson. */
export function acceptSerializedJson(req: ApiRequest): void {
  jsonOnly.add(req);
}

export function acceptsSerializedJson(req: ApiRequest): boolean {
  return jsonOnly.has(req);
}
