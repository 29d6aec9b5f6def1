// Protobuf schema (proto2) for k8s.io/apimachinery: ObjectMeta, Time, IntOrString, Quantity, DeleteOptions and the runtime.Unknown envelope.
// Field names and numbers are those of the Kubernetes 1.32 generated.proto files (what kubectl 1.32 encodes);
// the names are the JSON field names, so decoded messages map onto Kubernetes JSON one to one.
export const META_PROTO: readonly string[] = [
  `syntax = "proto2";
package k8s.io.apimachinery.pkg.api.resource;
message Quantity {
  optional string string = 1;
}
`,
  `syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;
message Condition {
  optional string type = 1; optional string status = 2; optional int64 observedGeneration = 3;
  optional Time lastTransitionTime = 4; optional string reason = 5; optional string message = 6;
}
message DeleteOptions {
  optional int64 gracePeriodSeconds = 1; optional Preconditions preconditions = 2; optional bool orphanDependents = 3;
  optional string propagationPolicy = 4; repeated string dryRun = 5;
  optional bool ignoreStoreReadErrorWithClusterBreakingPotential = 6;
}
message Duration {
  optional int64 duration = 1;
}
message FieldsV1 {
  optional bytes Raw = 1;
}
message LabelSelector {
  map<string, string> matchLabels = 1; repeated LabelSelectorRequirement matchExpressions = 2;
}
message LabelSelectorRequirement {
  optional string key = 1; optional string operator = 2; repeated string values = 3;
}
message ListMeta {
  optional string selfLink = 1; optional string resourceVersion = 2; optional string continue = 3;
  optional int64 remainingItemCount = 4;
}
message ManagedFieldsEntry {
  optional string manager = 1; optional string operation = 2; optional string apiVersion = 3; optional Time time = 4;
  optional string fieldsType = 6; optional FieldsV1 fieldsV1 = 7; optional string subresource = 8;
}
message MicroTime {
  optional int64 seconds = 1; optional int32 nanos = 2;
}
message ObjectMeta {
  optional string name = 1; optional string generateName = 2; optional string namespace = 3;
  optional string selfLink = 4; optional string uid = 5; optional string resourceVersion = 6;
  optional int64 generation = 7; optional Time creationTimestamp = 8; optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10; map<string, string> labels = 11;
  map<string, string> annotations = 12; repeated OwnerReference ownerReferences = 13; repeated string finalizers = 14;
  repeated ManagedFieldsEntry managedFields = 17;
}
message OwnerReference {
  optional string apiVersion = 5; optional string kind = 1; optional string name = 3; optional string uid = 4;
  optional bool controller = 6; optional bool blockOwnerDeletion = 7;
}
message Preconditions {
  optional string uid = 1; optional string resourceVersion = 2;
}
message Time {
  optional int64 seconds = 1; optional int32 nanos = 2;
}
`,
  `syntax = "proto2";
package k8s.io.apimachinery.pkg.runtime;
message RawExtension {
  optional bytes raw = 1;
}
message TypeMeta {
  optional string apiVersion = 1; optional string kind = 2;
}
message Unknown {
  optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3;
  optional string contentType = 4;
}
`,
  `syntax = "proto2";
package k8s.io.apimachinery.pkg.util.intstr;
message IntOrString {
  optional int64 type = 1; optional int32 intVal = 2; optional string strVal = 3;
}
`,
];
