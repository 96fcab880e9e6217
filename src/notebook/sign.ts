/**
 * Marks executed notebooks as trusted for this user, as Jupyter does when
 * you run and save a notebook yourself: reopened in the classic Notebook,
 * their plot scripts then run instead of being stripped. Optional: without
 * Jupyter's Python nothing happens.
 */
import { spawnSync } from "child_process";

/** The Python that has Jupyter: Debian's, not a pyenv one first on PATH. */
export function jupyterPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.TUNING_LAB_PYTHON || "/usr/bin/python3";
}

const SIGN = `
import sys
try:
    import nbformat
    from nbformat.sign import NotebookNotary
except ImportError:
    sys.exit(3)
notary = NotebookNotary()
for p in sys.argv[1:]:
    notary.sign(nbformat.read(p, as_version=4))
`;

/**
 * Sign `files` with nbformat's NotebookNotary. Returns "signed", or
 * "skipped" when Jupyter's Python is not installed, or "failed".
 */
export function signNotebooks(files: string[]): "signed" | "skipped" | "failed" {
  if (files.length === 0) return "signed";
  const r = spawnSync(jupyterPython(), ["-c", SIGN, ...files], {
    encoding: "utf8",
    env: { ...process.env, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
  });
  if (r.error || r.status === 3) return "skipped";
  return r.status === 0 ? "signed" : "failed";
}
