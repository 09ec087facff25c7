/**
 * Every failure the client shows goes through reportError: one place that
 * turns a thrown value into a VS Code notification and an output line.
 *
 * - cancelled: no error; the call site says what it wants (or nothing).
 * - project: an error, with **Show Problems** when findings are located.
 * - tenant, tool, io, usage: an error with the engine's advice.
 * - anything else is a bug: "ppkg: unexpected error …", with the details in
 *   the ppkg output and **Show Output**.
 *
 * Text is in VS Code's words (**ppkg: Import as Project**, not `ppkg
 * import`), and anything shaped like a token is masked before it is shown
 * or logged; the engine's messages hold no secret value to begin with.
 */
import * as vscode from 'vscode';
import { errorInfo, type ErrorInfo } from '../../server/src/engine';

export interface ErrorAction {
  title: string;
  run: () => unknown;
}

export interface ErrorContext {
  log: vscode.OutputChannel;
  /** The output line prefix: `build` → `[build] …`. */
  topic: string;
  /** What failed, put before the message: "Build failed" → "Build failed: <message>". */
  failed?: string;
  /** A sentence put after the message and its advice ("Delete it in the Entra admin center instead."). */
  then?: string;
  /** The operation's cancel signal: once aborted, whatever was thrown means the admin cancelled. */
  signal?: AbortSignal;
  /** Said (as information) when the admin cancelled; null: nothing is said. Default: the error's own words. */
  cancelled?: string | null;
  /** Buttons on the error notification. */
  actions?: ErrorAction[];
  /** The package file the operation read, so a damaged one is named. */
  packageName?: string;
  /** Only logged and returned: the caller shows the text itself (in a view). */
  quiet?: boolean;
}

/** What reportError made of a thrown value, and the text it showed. */
export interface ErrorReport extends ErrorInfo {
  /** The notification's text (empty when nothing was said). */
  text: string;
}

const SHOW_PROBLEMS = 'Show Problems';
const SHOW_OUTPUT = 'Show Output';

/**
 * Shows `err` as the admin should see it and logs it; returns what it made
 * of it (a build puts `diagnostics` on the project file).
 */
export function reportError(err: unknown, context: ErrorContext): ErrorReport {
  const info = errorInfo(err, { packageName: context.packageName });
  const log = (text: string) => {
    for (const line of redactTokens(text).split('\n')) context.log.appendLine(`[${context.topic}] ${line}`);
  };
  if (info.category === 'cancelled' || context.signal?.aborted) {
    const said = context.cancelled === undefined ? info.message : context.cancelled;
    log(said ?? info.message);
    const text = said ? notificationText(said) : '';
    if (text && !context.quiet) void vscode.window.showInformationMessage(text);
    return { ...info, text };
  }
  const actions = [...(context.actions ?? [])];
  let text: string;
  if (info.category === 'unexpected') {
    // A bug: the stack goes to the output, for a report.
    log(`${context.failed ? `${context.failed}: ` : ''}unexpected error: ${err instanceof Error && err.stack ? err.stack : info.message}`);
    text = sentences([`ppkg: unexpected error: ${info.message}`, context.failed, context.then, 'The ppkg output has the details.']);
    actions.push({ title: SHOW_OUTPUT, run: () => context.log.show() });
  } else {
    text = sentences([context.failed ? `${context.failed}: ${info.message}` : info.message, ...info.advice, context.then]);
    log(text);
    if (info.category === 'project' && info.diagnostics.length)
      actions.push({ title: SHOW_PROBLEMS, run: () => vscode.commands.executeCommand('workbench.actions.view.problems') });
  }
  text = notificationText(text);
  if (!context.quiet) {
    void vscode.window.showErrorMessage(text, ...actions.map((a) => a.title)).then((chosen) => {
      void actions.find((a) => a.title === chosen)?.run();
    });
  }
  return { ...info, text };
}

/** Joins sentences with one space, adding the full stop a part lacks before the next one. */
function sentences(parts: (string | undefined)[]): string {
  const present = parts.filter((p): p is string => !!p);
  return present.map((p, i) => (i < present.length - 1 && !/[.!?:]\s*$/.test(p) ? `${p}.` : p)).join(' ');
}

/** One line, in VS Code's words, with nothing shaped like a token. */
export function notificationText(text: string): string {
  return shownText(text).replace(/\n/g, ' ');
}

/** An engine message as a view shows it: in VS Code's words, nothing shaped like a token. */
export function shownText(text: string): string {
  return inVsCodeWords(redactTokens(text));
}

/**
 * The CLI's words that engine messages still use, said as VS Code says
 * them (the engine's advice, once every error is a PpkgError, is worded per
 * host and needs none of this).
 */
function inVsCodeWords(text: string): string {
  return text
    .replace(/\s*\(use --force, or --out <another file>\)/g, ' (choose another file name)')
    .replace(/ \(--out\)/g, '')
    .replace(/\bRun `?ppkg validate (.+?)`?(?=[.,;](?:\s|$)|$)/gm, 'Open $1 and see the Problems view')
    .replace(/`?\bppkg import\b`?/g, '**ppkg: Import as Project**');
}

/** Masks JWTs (bulk and access tokens) and bearer tokens, should one ever reach a message. */
export function redactTokens(text: string): string {
  return text.replace(/\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*/g, '[token]').replace(/\bBearer\s+[A-Za-z0-9._~+/=-]{16,}/g, 'Bearer [token]');
}
