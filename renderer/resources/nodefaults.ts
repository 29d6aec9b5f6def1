import { faultDescriptor } from './fault-descriptor';

export const nodefaults = faultDescriptor('NodeFault', 'nodefaults', false);
