import { type AuditPlatform, runAudit } from '../audit/audit.ts';
import { auditExitCode, printAudit } from '../audit/audit-output.ts';
import type { AuditSelection } from '../audit/audit-selection.ts';
import { type CommandOutput, processOutput } from '../operator/command-output.ts';

export interface AuditCommandOptions {
  selection: AuditSelection;
  json: boolean;
  repair: boolean;
}

/** `audit`: runs it, prints the report, and exits 1 while drift is left (so cron can alert). */
export async function auditCommand(
  infra: AuditPlatform,
  options: AuditCommandOptions,
  output: CommandOutput = processOutput,
): Promise<void> {
  const report = await runAudit(infra, { selection: options.selection, repair: options.repair });
  printAudit(report, output, options.json);
  process.exitCode = auditExitCode(report);
}
