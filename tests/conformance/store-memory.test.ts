import { MemoryStore } from '../../main/store/memory-store';
import { describeStoreConformance } from './store.case';

describeStoreConformance('MemoryStore', async (options) => new MemoryStore(options));
