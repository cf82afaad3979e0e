import type { z } from 'zod';
import type { CallName, CallReply, CallResults } from '../contract.js';
import type { Engine } from '../engine/engine.js';
import type { DocumentInfo } from '../engine/info.js';
import { GanvasError, toErrorInfo } from '../engine/errors.js';
import { RecentFiles } from '../engine/recent.js';
import { callTable } from './calls/index.js';
import { FolderGrants, type CallContext, type Dialogs } from './context.js';

export type { Dialogs };

type Handlers = { [K in CallName]: (input: unknown) => Promise<CallResults[K]> };

/** One validation problem in words: which field, and what it should have been. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.map(String).join('.') : 'the request';
  if (issue.code === 'invalid_type')
    return issue.message.endsWith('received undefined')
      ? `${where} is missing`
      : `${where} must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
  return `${where}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

/**
 * Every call of the table, its input checked against its schema once, here, and served by its
 * handler; and `openUserPath` for paths that come from the user rather than the page (a dropped
 * file's path resolved in preload, Open Recent); `openHandedOver` for a photo another program
 * hands over to be edited in place (a path on the command line, the OS's open-file: Lightroom's
 * Edit in), which Save writes back into. Electron's main process and the end-to-end test bridge
 * both use exactly these functions.
 */
export function createHandlers(
  engine: Engine,
  dialogs: Dialogs,
  recent: RecentFiles = new RecentFiles(null),
  onOpened: (path: string) => void = () => {},
): { calls: Handlers; openUserPath: (path: string) => Promise<DocumentInfo>; openHandedOver: (path: string) => Promise<DocumentInfo> } {
  const opened = (path: string) => {
    recent.add(path).catch((err: unknown) => console.error(`Could not update the recent files list: ${toErrorInfo(err).message}`));
    onOpened(path);
  };
  const open = async (path: string, opts: { inPlace?: boolean } = {}) => {
    const doc = await engine.open(path, opts);
    opened(doc.projectPath ?? doc.path);
    return doc;
  };
  const ctx: CallContext = { engine, dialogs, grants: new FolderGrants(), open, opened, recent };
  const served = Object.fromEntries(
    Object.entries(callTable).map(([name, call]) => [
      name,
      async (input: unknown) => {
        const r = call.input.safeParse(input);
        if (!r.success) throw new GanvasError('INVALID_INPUT', `Invalid ${name} request: ${r.error.issues.slice(0, 3).map(describeIssue).join('; ')}.`);
        return (call.handle as (input: unknown, ctx: CallContext) => Promise<unknown>)(r.data, ctx);
      },
    ]),
  ) as Handlers;
  return { calls: served, openUserPath: (path) => open(path), openHandedOver: (path) => open(path, { inPlace: true }) };
}

/**
 * Serves one call by its name, as main's IPC registration does: only the table's own names
 * (never `constructor`, `__proto__` or anything else an object inherits).
 */
export function dispatch(handlers: Handlers, name: string, input: unknown): Promise<unknown> {
  if (!Object.hasOwn(callTable, name)) return Promise.reject(new GanvasError('INVALID_INPUT', `There is no call named "${name.slice(0, 64)}".`));
  return handlers[name as CallName](input);
}

/** A call's outcome as it crosses IPC (main, and the test bridge in its place). */
export async function reply(work: Promise<unknown>): Promise<CallReply> {
  try {
    return { ok: await work };
  } catch (err) {
    return { error: toErrorInfo(err) };
  }
}
