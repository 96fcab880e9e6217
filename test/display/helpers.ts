/** Shared test helpers for the display tests. */

/** Run `fn` with console.log/console.warn captured; returns what they printed. */
export function captureConsole(fn: () => void): { log: string; warn: string } {
  const out = { log: "", warn: "" };
  const saved = { log: console.log, warn: console.warn };
  console.log = (...a: unknown[]) => {
    out.log += a.join(" ") + "\n";
  };
  console.warn = (...a: unknown[]) => {
    out.warn += a.join(" ") + "\n";
  };
  try {
    fn();
  } finally {
    console.log = saved.log;
    console.warn = saved.warn;
  }
  return out;
}

/** Async variant of captureConsole. */
export async function captureConsoleAsync<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; log: string; warn: string }> {
  const out = { log: "", warn: "" };
  const saved = { log: console.log, warn: console.warn };
  console.log = (...a: unknown[]) => {
    out.log += a.join(" ") + "\n";
  };
  console.warn = (...a: unknown[]) => {
    out.warn += a.join(" ") + "\n";
  };
  try {
    return { value: await fn(), ...out };
  } finally {
    console.log = saved.log;
    console.warn = saved.warn;
  }
}
