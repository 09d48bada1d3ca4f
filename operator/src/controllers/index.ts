// The controllers `ecs-operator run` starts, in registration order.
import type { ControllerFactory } from '../runtime/manager.js';
import { createClusterController } from './cluster.js';
import { createServiceController } from './service/controller.js';
import { createTaskController } from './task.js';
import { createTaskDefinitionController } from './taskdefinition.js';

export const controllers: ControllerFactory[] = [
  createTaskDefinitionController,
  createTaskController,
  createClusterController,
  createServiceController,
];
