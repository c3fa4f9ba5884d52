import { parseArgs } from 'node:util';
import { z } from 'zod';

/**
 * A command's `--name value` options, checked by its schema. On a problem it writes what was wrong and
 * the usage line, and returns null (the command then exits 2).
 */
export function parseOptions<S extends z.ZodObject>(
  command: string,
  usage: string,
  schema: S,
  argv: string[],
  write: (line: string) => void,
): z.infer<S> | null {
  try {
    const names = Object.keys(schema.shape);
    const { values } = parseArgs({
      args: argv,
      options: Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])),
      strict: true,
    });
    return schema.parse(values);
  } catch (error) {
    const message =
      error instanceof z.ZodError
        ? error.issues.map((i) => i.message).join('; ')
        : error instanceof Error
          ? error.message
          : String(error);
    write(`mamori ${command}: ${message}\nUsage: ${usage}`);
    return null;
  }
}
