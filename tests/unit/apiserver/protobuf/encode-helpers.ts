// Builds Kubernetes protobuf bodies with protobufjs from our own schema, for cases kubectl never sends.
import * as protobuf from 'protobufjs';
import { messageType } from '../../../../main/apiserver/protobuf/schema';

export const CORE = 'k8s.io.api.core.v1';
export const MAGIC = Buffer.from('k8s\0', 'binary');

/** Encodes `value` (protobufjs object form: nested objects, Buffers for bytes) as the named message. */
export function encodeMessage(fullName: string, value: Record<string, unknown>): Uint8Array {
  const type = messageType(fullName);
  const problem = type.verify(value);
  if (problem) throw new Error(`test payload does not fit ${fullName}: ${problem}`);
  return type.encode(type.fromObject(value)).finish();
}

/** The "k8s\0" + runtime.Unknown envelope around an already encoded message. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array, extra: Record<string, unknown> = {}): Buffer {
  const unknown = encodeMessage('k8s.io.apimachinery.pkg.runtime.Unknown', { typeMeta: { apiVersion, kind }, raw, ...extra });
  return Buffer.concat([MAGIC, unknown]);
}

/** Appends a varint field with a number the schema does not have (what a newer client could send). */
export function withExtraVarintField(message: Uint8Array, fieldNumber: number, value: number): Uint8Array {
  const extra = protobuf.Writer.create().uint32((fieldNumber << 3) | 0).uint32(value).finish();
  return Buffer.concat([message, extra]);
}

/** Wraps `inner` as length-delimited field `fieldNumber` followed by the rest of an encoded parent. */
export function withMessageField(parent: Uint8Array, fieldNumber: number, inner: Uint8Array): Uint8Array {
  const field = protobuf.Writer.create().uint32((fieldNumber << 3) | 2).bytes(inner).finish();
  return Buffer.concat([parent, field]);
}
