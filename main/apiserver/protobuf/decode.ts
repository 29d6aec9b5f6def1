// Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), as kubectl >= 1.32's typed
// clients send them: the magic "k8s\0", then a runtime.Unknown {1: typeMeta, 2: raw, 3: contentEncoding,
// 4: contentType} whose raw bytes are the kind's own message. Decoded into the JSON form of the object,
// so everything after the HTTP layer sees exactly what a JSON client would have sent.
import * as protobuf from 'protobufjs';
import { ApiError } from '../../../shared/api/errors';
import type { KubeObject } from '../../../shared/api/meta';
import { messageForKind, messageType, WELL_KNOWN } from './schema';
import { decodeFields, MalformedProtobuf } from './wire-to-json';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

interface Envelope {
  typeMeta?: { apiVersion?: string; kind?: string };
  raw?: string;
  contentEncoding?: string;
  contentType?: string;
}

function malformed(why: string): ApiError {
  return ApiError.badRequest(`error decoding protobuf body: ${why}`);
}

/** Runs a wire walk, turning truncation and structural errors into 400s (unknown fields stay 415s). */
function guarded<T>(walk: () => T): T {
  try {
    return walk();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    // protobufjs' Reader throws RangeError when a length or varint runs past the end.
    if (err instanceof MalformedProtobuf || err instanceof RangeError) throw malformed(err.message);
    throw err;
  }
}

function readEnvelope(body: Buffer): Envelope {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw malformed('the body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const reader = protobuf.Reader.create(body.subarray(MAGIC.length));
  return guarded(() => decodeFields(messageType(WELL_KNOWN.unknown), reader, reader.len, '', false)) as Envelope;
}

/** Decodes a Kubernetes protobuf body into the object's JSON form: 400 when malformed, 415 when unsupported. */
export function decodeKubernetesProtobuf(body: Buffer): KubeObject {
  const envelope = readEnvelope(body);
  const apiVersion = envelope.typeMeta?.apiVersion ?? '';
  const kind = envelope.typeMeta?.kind ?? '';
  const what = `${apiVersion || '<no apiVersion>'} ${kind || '<no kind>'}`;
  if (envelope.contentEncoding) {
    throw new ApiError(415, 'UnsupportedMediaType', `Bosun cannot decode protobuf ${what} with content encoding "${envelope.contentEncoding}"; send JSON instead`);
  }
  if (envelope.contentType && envelope.contentType !== PROTOBUF_MEDIA_TYPE) {
    throw new ApiError(415, 'UnsupportedMediaType', `Bosun cannot decode protobuf ${what} wrapping "${envelope.contentType}"; send JSON instead`);
  }
  const type = messageForKind(apiVersion, kind);
  if (!type) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `Bosun cannot decode protobuf ${what} yet; send JSON (for example kubectl apply -f) instead`,
    );
  }
  const raw = Buffer.from(envelope.raw ?? '', 'base64');
  const reader = protobuf.Reader.create(raw);
  const fields = guarded(() => decodeFields(type, reader, reader.len, '', true));
  return { apiVersion, kind, ...fields } as KubeObject;
}
