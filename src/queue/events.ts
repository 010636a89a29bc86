/**
 * Live job changes for the web process, from BullMQ's own event stream (QueueEvents): workers
 * report each throttled progress write as job progress, and finishing as completed/failed. The
 * web side re-reads the database on each event, so the database stays the one truth.
 */
import { EventEmitter } from 'node:events';
import { QueueEvents } from 'bullmq';
import { bullOptions, CONVERT_QUEUE, type QueueSettings, siteQueueName } from './queues.ts';

export interface JobEvents {
  on(conversionId: string, listener: () => void): () => void;
  /** For changes made by this process itself (a cancel), which no worker reports. */
  emit(conversionId: string): void;
  close(): Promise<void>;
}

const EVENTS = ['progress', 'active', 'completed', 'failed', 'delayed', 'waiting'] as const;

/** Events keyed by conversion id (the convert queues' message ids); `onError` hears Redis trouble. */
export function openJobEvents(settings: QueueSettings, onError: (err: Error) => void = () => {}): JobEvents {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  // QueueEvents blocks on the stream, so it takes the patient (worker) connection settings.
  const readers = [CONVERT_QUEUE, ...settings.pacedSites.map(siteQueueName)].map((name) => {
    const queueEvents = new QueueEvents(name, bullOptions(settings, 'worker'));
    queueEvents.on('error', onError);
    for (const event of EVENTS) queueEvents.on(event, ({ jobId }: { jobId: string }) => emitter.emit(jobId));
    return queueEvents;
  });
  return {
    on(jobId, listener) {
      emitter.on(jobId, listener);
      return () => emitter.off(jobId, listener);
    },
    emit: (jobId) => emitter.emit(jobId),
    close: async () => {
      await Promise.all(readers.map((reader) => reader.close()));
    },
  };
}
