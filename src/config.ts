/**
 * Config objects, TRL-style: an interface with one documented field per knob,
 * frozen defaults, and a resolver that rejects unknown keys and out-of-range
 * values with a message that says how to fix them.
 */

/** How one config field is checked. `doc` is shown in error messages. */
export interface FieldSpec {
  doc: string;
  min?: number;
  max?: number;
  integer?: boolean;
  oneOf?: readonly (string | number | boolean)[];
  /** Field may be null/undefined (e.g. an optional checkpoint path). */
  optional?: boolean;
}

export type ConfigSpec<T> = { [K in keyof T]-?: FieldSpec };

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(
        d[j] + 1,
        d[j - 1] + 1,
        prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      prev = tmp;
    }
  }
  return d[b.length];
}

function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(key, k);
    if (dist < bestD) {
      bestD = dist;
      best = k;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function checkField(name: string, key: string, value: unknown, spec: FieldSpec): string | undefined {
  const where = `${name}.${key} = ${JSON.stringify(value)}`;
  if (value === undefined || value === null)
    return spec.optional ? undefined : `${where} is required (${spec.doc})`;
  if (spec.oneOf && !spec.oneOf.includes(value as string)) {
    return `${where} is not one of ${spec.oneOf.map((v) => JSON.stringify(v)).join(", ")} (${spec.doc})`;
  }
  if (spec.min === undefined && spec.max === undefined && !spec.integer) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value))
    return `${where} must be a finite number (${spec.doc})`;
  if (spec.integer && !Number.isInteger(value)) return `${where} must be an integer (${spec.doc})`;
  if (spec.min !== undefined && value < spec.min)
    return `${where} is below the minimum ${spec.min} (${spec.doc})`;
  if (spec.max !== undefined && value > spec.max)
    return `${where} is above the maximum ${spec.max} (${spec.doc})`;
  return undefined;
}

/**
 * Merge `overrides` into `defaults` and validate every field against `spec`.
 * Throws one error listing every problem, each with the field's meaning.
 */
export function resolveConfig<T extends object>(
  name: string,
  defaults: Readonly<T>,
  spec: ConfigSpec<T>,
  overrides: Partial<T> = {},
): Readonly<T> {
  const known = Object.keys(spec);
  const problems: string[] = [];
  for (const key of Object.keys(overrides)) {
    if (!known.includes(key)) {
      const hint = closest(key, known);
      problems.push(
        `${name}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ""}; known keys: ${known.join(", ")}`,
      );
    }
  }
  const merged = { ...defaults, ...overrides } as T;
  for (const key of known) {
    const msg = checkField(
      name,
      key,
      (merged as Record<string, unknown>)[key],
      (spec as Record<string, FieldSpec>)[key],
    );
    if (msg) problems.push(msg);
  }
  if (problems.length) throw new Error(problems.join("\n"));
  return Object.freeze(merged);
}
