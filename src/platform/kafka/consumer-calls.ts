const NO_GROUP_YET = 'Consumer group was not initialized'; // kafkajs 2.2.4, src/consumer/index.js

/**
 * kafkajs's pause and resume throw while the consumer has no group: before `run()`, and between a
 * crash and kafkajs's restart of the consumer (a join answered "coordinator loading" on a broker that
 * has just started). Nothing is fetched then, and a restarted consumer starts with nothing paused, so
 * there is nothing to pause or resume: the call is dropped rather than thrown from a timer.
 */
export function whileGroupRuns(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!(error instanceof Error && error.message.startsWith(NO_GROUP_YET))) throw error;
  }
}
