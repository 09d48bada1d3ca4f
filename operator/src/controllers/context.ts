// What every controller is built from: the runtime manager's shared clients, informers, child writer, event
// recorder and configuration. The controllers name it OperatorContext.
export type { ControllerContext as OperatorContext, ControllerFactory } from '../runtime/manager.js';
