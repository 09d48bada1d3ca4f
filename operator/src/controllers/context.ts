// What every controller of the operator is built from: the shared clients, informers, writer, event
// recorder and settings. A controller is a function of this context that returns a runtime Controller.
import type { Applier } from '../runtime/apply.js';
import type { ApiClients } from '../runtime/clients.js';
import type { Clock } from '../runtime/clock.js';
import type { Controller } from '../runtime/controller.js';
import type { EventRecorder } from '../runtime/events.js';
import type { InformerFactory } from '../runtime/informer.js';
import type { Logger } from '../runtime/logging.js';
import type { Metrics } from '../runtime/metrics.js';

export interface OperatorSettings {
  /** How long the Pod of a STOPPED task (and so its logs) is kept. ECS shows stopped tasks about an hour. */
  stoppedTaskRetentionMs: number;
  /** Every how often all objects are reconciled again, repairing what a missed event left behind. */
  resyncPeriodMs: number;
  /** Workers per controller. */
  concurrency: number;
}

export const DEFAULT_SETTINGS: OperatorSettings = {
  stoppedTaskRetentionMs: 60 * 60_000,
  resyncPeriodMs: 5 * 60_000,
  concurrency: 2,
};

export interface OperatorContext {
  clients: ApiClients;
  informers: InformerFactory;
  applier: Applier;
  events: EventRecorder;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  settings: OperatorSettings;
}

export type ControllerFactory = (context: OperatorContext) => Controller;
