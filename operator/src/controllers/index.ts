// The controllers `ecs-operator run` starts, in registration order.
import type { ControllerFactory } from '../runtime/manager.js';
import { createClusterController } from './cluster/controller.js';
import { createScheduledTaskController } from './scheduledtask/controller.js';
import { createServiceController } from './service/controller.js';
import { createTaskController } from './task/controller.js';
import { createTaskDefinitionController } from './taskdefinition/controller.js';

export const controllers: ControllerFactory[] = [
  createTaskDefinitionController,
  createTaskController,
  createClusterController,
  createServiceController,
  createScheduledTaskController,
];
