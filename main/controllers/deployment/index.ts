// The Deployment controller and the pieces other controllers reuse.
export { DeploymentController, DEPLOYMENT_COMPONENT } from './controller';
export type { DeploymentControllerOptions } from './controller';
export * from './util';
export { ControllerExpectations, comparePodsForDeletion, controllerRefOf, isPodActive, isPodAvailable, isPodReady, podsToDelete } from './pods';
