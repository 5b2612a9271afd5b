// The OTLP receiver as its own process (as a collector would be), for benchmarks: prints one JSON line
// with its base URL, then keeps what it is sent until SIGTERM; `GET /stats` counts spans and requests.
import { startOtlpReceiver } from './otlp-receiver.ts';

const receiver = await startOtlpReceiver();
process.stdout.write(`${JSON.stringify({ url: receiver.url, msg: 'otlp receiver listening' })}\n`);
process.once('SIGTERM', () => void receiver.close().then(() => process.exit(0)));
