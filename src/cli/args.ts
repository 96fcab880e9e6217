/**
 * Command-line options for every entry point, on Node's own `util.parseArgs`
 * (strict: unknown options and stray arguments are errors), with typed
 * values, whole-number and choice checks, and `--help` generated from the
 * same table.
 */
import { parseArgs } from "util";

/** One option. `int` values must be whole numbers ≥ `min` (default 0). */
export interface Flag {
  type: "boolean" | "string" | "int" | "number";
  doc: string;
  /** Name of the value in help and error texts, e.g. "N" or "DIR". */
  arg?: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
  min?: number;
  /** Shown in --help. */
  default?: string | number | boolean;
}

export interface CliSpec<F extends Record<string, Flag>> {
  /** Prefix of error messages, e.g. "sft". */
  name: string;
  /** The usage line, e.g. "usage: npm run sft [-- --quick] ...". */
  usage: string;
  /** What the command does (for --help). */
  summary?: string;
  flags: F;
  /** Name every option in the unknown-option error (else the usage line follows it). */
  listOptions?: boolean;
}

type ValueOf<T extends Flag> = T["type"] extends "boolean"
  ? boolean
  : T["type"] extends "string"
    ? string
    : number;
type Choice<T extends Flag> = T["choices"] extends readonly (infer C)[] ? C : ValueOf<T>;

/** Parsed values: only the options given (apply defaults where you use them). */
export type CliValues<F extends Record<string, Flag>> = { -readonly [K in keyof F]?: Choice<F[K]> } & {
  help?: boolean;
};

const optionText = (name: string, f: Flag) =>
  `--${name}${f.type === "boolean" ? "" : ` ${f.arg ?? (f.type === "string" ? "VALUE" : "N")}`}`;

/** The --help text. */
export function helpText<F extends Record<string, Flag>>(spec: CliSpec<F>): string {
  const rows = Object.entries(spec.flags).map(([n, f]) => [
    optionText(n, f),
    f.doc +
      (f.choices ? ` (${f.choices.join(", ")})` : "") +
      (f.default !== undefined ? `; default ${f.default}` : ""),
  ]);
  rows.push(["--help", "print this help and exit"]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return (
    [
      spec.usage,
      ...(spec.summary ? ["", spec.summary] : []),
      "",
      "options:",
      ...rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`),
    ].join("\n") + "\n"
  );
}

/**
 * Parse `argv` against `spec`. Errors name the command, the option and what
 * it needs. `--help` sets `help: true` (print `helpText(spec)` and exit 0).
 */
export function parseCli<F extends Record<string, Flag>>(spec: CliSpec<F>, argv: string[]): CliValues<F> {
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([n, f]) => [
      n,
      { type: f.type === "boolean" ? "boolean" : "string" } as const,
    ]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new Error(parseError(spec, e as Error & { code?: string }));
  }
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(values)) {
    if (v === undefined) continue;
    if (name === "help") {
      out.help = v;
      continue;
    }
    const f = spec.flags[name];
    if (f.type === "int" || f.type === "number") {
      const n = Number(v);
      const min = f.min ?? 0;
      const ok = v !== "" && Number.isFinite(n) && n >= min && (f.type === "number" || Number.isInteger(n));
      const what =
        f.type === "number" ? `a number ≥ ${min}` : min >= 1 ? "a positive whole number" : "a whole number";
      if (!ok) throw new Error(`${spec.name}: --${name} needs ${what}, got ${v}`);
      out[name] = n;
    } else if (f.choices && !f.choices.includes(v as string)) {
      throw new Error(`${spec.name}: --${name} must be one of ${f.choices.join(", ")}, got ${v}`);
    } else out[name] = v;
  }
  return out as CliValues<F>;
}

function parseError<F extends Record<string, Flag>>(spec: CliSpec<F>, e: Error & { code?: string }): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? "";
  const flag = quoted.split(/[ =]/)[0];
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const list = Object.entries(spec.flags)
      .map(([n, f]) => optionText(n, f))
      .join(", ");
    return `${spec.name}: unknown option ${flag}${spec.listOptions ? `; options: ${list}` : ""}\n${spec.usage}`;
  }
  if (e.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const f = spec.flags[flag.replace(/^--/, "")];
    if (f?.type === "boolean") return `${spec.name}: ${flag} takes no value\n${spec.usage}`;
    return `${spec.name}: ${flag} needs a value${f ? ` (${f.arg ?? "VALUE"})` : ""}; write ${flag}=VALUE for a value that starts with "-"\n${spec.usage}`;
  }
  if (e.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
    return `${spec.name}: unexpected argument ${quoted}: every value follows its option\n${spec.usage}`;
  return `${spec.name}: ${e.message}\n${spec.usage}`;
}

/** Run a CLI's main: print an error's message (not its stack) and exit 1. */
export function runMain(main: (argv: string[]) => Promise<void> | void): void {
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}

/**
 * Refuses a command line that mixes modes: at most one of `modes` may be
 * given, and a mode may not come with options that only the other runs read
 * (`npm run rm -- --sweep --seeds` would otherwise run the sweep and ignore
 * --seeds). `allowed` lists, per mode, the options it does read.
 */
export function oneMode(
  given: Record<string, unknown>,
  modes: readonly string[],
  allowed: Readonly<Record<string, readonly string[]>>,
): void {
  const chosen = modes.filter((m) => given[m] !== undefined && given[m] !== false);
  if (chosen.length > 1) throw new Error(`--${chosen.join(" and --")} are different runs; give one of them`);
  const mode = chosen[0];
  if (mode === undefined) return;
  const stray = Object.keys(given).filter(
    (k) => k !== mode && k !== "help" && given[k] !== undefined && !(allowed[mode] ?? []).includes(k),
  );
  if (stray.length)
    throw new Error(
      `--${mode} does not read --${stray.join(", --")}; drop ${stray.length > 1 ? "them" : "it"}`,
    );
}

/**
 * A --quick run of PPO or DPO keeps no checkpoints (it lasts a minute), so
 * there is nothing for --resume to continue. (Quick pretrain, SFT and RM
 * runs do save at their last step, and resume from it.)
 */
export function refuseQuickResume(quick: boolean | undefined, resume: boolean | undefined): void {
  if (quick && resume)
    throw new Error(
      "--quick runs keep no checkpoints (they last a minute), so --resume has nothing to continue; drop --resume",
    );
}
