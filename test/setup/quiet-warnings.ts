// kafkajs's negative-timer warning on Node 24 says nothing about the code under test (see
// src/ops/process-warnings.ts); every other warning still shows.
import { quietKnownLibraryWarnings } from '../../src/ops/process-warnings.ts';

quietKnownLibraryWarnings();
