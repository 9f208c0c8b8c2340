/**
 * Argument handling of the tasks that take no options other than -h and --help.
 *
 * @module
 */

/**
 * Checks the arguments of task `task`. Returns the exit code when the task should stop
 * here: 2 after printing an error for any argument other than -h or --help, 0 after
 * printing `usage` for help. Returns undefined when there are no arguments.
 */
export function handleHelpOnlyArguments(task: string, usage: string, args: string[]): number | undefined {
  const isHelp = (arg: string) => arg === "-h" || arg === "--help";
  const unexpected = args.find((arg) => !isHelp(arg));
  if (unexpected !== undefined) {
    console.error(`${task}: unexpected argument "${unexpected}"\n${usage}`);
    return 2;
  }
  if (args.length > 0) {
    console.log(usage);
    return 0;
  }
  return undefined;
}
