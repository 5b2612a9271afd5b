export async function dockerEngineAnswers(): Promise<boolean> {
  return false;
}
export async function startDockerStack(): Promise<{
  endpoints: { kafkaBrokers: string; schemaRegistryUrl: string; databaseUrl: string };
  stop(): Promise<void>;
}> {
  throw new Error('not yet');
}
