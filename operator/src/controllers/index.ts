// The controllers `ecs-operator run` starts, in registration order.
import type { ControllerFactory } from '../runtime/manager.js';

export const controllers: ControllerFactory[] = [];
