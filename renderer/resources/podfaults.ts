import { faultDescriptor } from './fault-descriptor';

export const podfaults = faultDescriptor('PodFault', 'podfaults', true);
