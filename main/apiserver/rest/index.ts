// Public surface of the generic REST machinery.
export { RestHandler, type RestHandlerOptions, type SubresourceHandler } from './handler';
export { storeKey, collectionPrefix, type EvictionPolicy, type RestContext } from './context';
export { toScale } from './subresources';
export { toTable, tableColumns } from './table';
export { encodeContinue, decodeContinue } from './list';
export { generateName } from './create';

export { resourceFor } from './known-resources';
