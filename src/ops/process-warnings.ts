/**
 * kafkajs 2.2.4 computes some timer delays that go negative on Node 24, which then warns
 * `TimeoutNegativeWarning` (the delay is clamped to 1 ms, which is what kafkajs meant). The warning
 * says nothing an operator can act on, so it is dropped; every other warning is still printed.
 */
export function quietKnownLibraryWarnings(): void {
  const printers = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    for (const print of printers) print(warning);
  });
}
