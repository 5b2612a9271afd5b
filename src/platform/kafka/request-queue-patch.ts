import { createRequire } from 'node:module';

/**
 * kafkajs 2.2.4 re-arms a timer on every broker connection whenever it checks its queue, even with
 * nothing queued, and with a negative delay that Node clamps to 1 ms (tulios/kafkajs#1704, #1556,
 * fixed in no release): each connection wakes the event loop a thousand times a second forever. On
 * a 2-core machine the service spent about 40 ms of CPU a second doing nothing. With nothing pending
 * there is nothing to check: `push` schedules a check as soon as a request has to wait, and a
 * fulfilled request checks again, so skipping the idle timer loses no request.
 */
const require = createRequire(import.meta.url);

interface RequestQueue {
  pending: unknown[];
  scheduleCheckPendingRequests(this: RequestQueue): void;
}

const PATCHED_VERSION = '2.2.4';

export function patchIdleRequestQueueTimer(): boolean {
  const { version } = require('kafkajs/package.json') as { version: string };
  if (version !== PATCHED_VERSION) return false; // another version may have fixed it, or changed the code
  const RequestQueueClass = require('kafkajs/src/network/requestQueue/index.js') as {
    prototype: RequestQueue & { [PATCHED]?: true };
  };
  const proto = RequestQueueClass.prototype;
  if (proto[PATCHED]) return true;
  const schedule = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function (this: RequestQueue) {
    if (this.pending.length === 0) return;
    schedule.call(this);
  };
  proto[PATCHED] = true;
  return true;
}

const PATCHED = Symbol.for('invoice-finance-sync.kafkajs-idle-timer-patch');

patchIdleRequestQueueTimer();
