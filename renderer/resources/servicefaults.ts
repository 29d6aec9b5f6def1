import { faultDescriptor } from './fault-descriptor';

export const servicefaults = faultDescriptor('ServiceFault', 'servicefaults', true);
