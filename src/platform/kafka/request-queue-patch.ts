import { patchKafkajsClass } from './kafkajs-patch.ts';

/**
 * kafkajs 2.2.4 re-arms a timer on every broker connection whenever it checks its queue, even with
 * nothing queued, and with a negative delay that Node clamps to 1 ms (tulios/kafkajs#1704, #1556,
 * fixed in no release): each connection wakes the event loop a thousand times a second forever. On
 * a 2-core machine the service spent about 40 ms of CPU a second doing nothing. With nothing pending
 * there is nothing to check: `push` schedules a check as soon as a request has to wait, and a
 * fulfilled request checks again, so skipping the idle timer loses no request.
 */
interface RequestQueue {
  pending: unknown[];
  scheduleCheckPendingRequests(this: RequestQueue): void;
}

export function patchIdleRequestQueueTimer(): boolean {
  return patchKafkajsClass<RequestQueue>(
    'kafkajs/src/network/requestQueue/index.js',
    Symbol.for('invoice-finance-sync.kafkajs-idle-timer-patch'),
    (proto) => {
      const schedule = proto.scheduleCheckPendingRequests;
      proto.scheduleCheckPendingRequests = function (this: RequestQueue) {
        if (this.pending.length === 0) return;
        schedule.call(this);
      };
    },
  );
}

patchIdleRequestQueueTimer();
