import { messageOf } from '../failures/errors.ts';
import { parseOffset, parsePartitions, parseTime } from '../operator/cli-arguments.ts';
import type { ReplaySelection } from './replay-jobs.ts';
import type { ReplayForm } from './replay-view.ts';

export type ReadForm =
  | { form: ReplayForm; selection: ReplaySelection; problem?: undefined }
  | { form: ReplayForm; problem: string };

const LABELS: Record<keyof ReplayForm, string> = {
  partitions: 'Partitions',
  fromOffset: 'From offset',
  toOffset: 'To offset',
  fromTime: 'From time',
  toTime: 'To time',
  key: 'Only key',
};

/** The form as typed, and the selection it means (parsed like the `replay` command's options), or why not. */
export function readReplayForm(params: URLSearchParams): ReadForm {
  const form = Object.fromEntries(
    Object.keys(LABELS).map((name) => [name, (params.get(name) ?? '').trim()]),
  ) as unknown as ReplayForm;
  const problems: string[] = [];
  const parsed = <T>(name: keyof ReplayForm, parse: (text: string) => T): T | undefined => {
    if (form[name] === '') return undefined;
    try {
      return parse(form[name]);
    } catch (error) {
      problems.push(`${LABELS[name]}: ${messageOf(error)}`);
      return undefined;
    }
  };
  const selection: ReplaySelection = { partitions: parsed('partitions', (t) => parsePartitions(t)) ?? [] };
  const fromOffset = parsed('fromOffset', parseOffset);
  const toOffset = parsed('toOffset', parseOffset);
  const fromTime = parsed('fromTime', parseTime);
  const toTime = parsed('toTime', parseTime);
  if (fromOffset !== undefined) selection.fromOffset = fromOffset;
  if (toOffset !== undefined) selection.toOffset = toOffset;
  if (fromTime !== undefined) selection.fromTime = fromTime;
  if (toTime !== undefined) selection.toTime = toTime;
  if (form.key !== '') selection.key = form.key;
  if (fromOffset !== undefined && toOffset !== undefined && fromOffset > toOffset) {
    problems.push('From offset is after to offset: nothing would be selected.');
  }
  return problems.length > 0 ? { form, problem: problems.join(' ') } : { form, selection };
}
