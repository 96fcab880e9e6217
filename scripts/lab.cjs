#!/usr/bin/env node
/**
 * `npm run lab [-- extra jupyter args]`: start Jupyter on the project root
 * with the project's kernel and no browser (open the printed URL).
 * JupyterLab when installed, else the classic Notebook (Debian's
 * jupyter-notebook package; Debian 12 has no JupyterLab).
 */
const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");
const { registerKernel, JUPYTER_PATH, ROOT } = require("./register-kernel.cjs");

/** The first directory on PATH holding an executable `name`, as a full path. */
function which(name) {
  for (const dir of (process.env.PATH || "").split(path.delimiter).concat("/usr/bin", "/usr/local/bin")) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

function main() {
  // Registering again is cheap and repairs a moved checkout.
  registerKernel();
  const app = which("jupyter-lab") ? "lab" : which("jupyter-notebook") ? "notebook" : undefined;
  const jupyter = which("jupyter");
  if (!app || !jupyter) {
    console.error(
      "Jupyter is not installed, so there is nothing to open.\n" +
        "  Debian/Ubuntu: sudo apt-get install --no-install-recommends jupyter-notebook jupyter-client\n" +
        "  (or install JupyterLab), then run `npm run lab` again.\n" +
        "  Without Jupyter, `npm start` still runs every notebook headless and writes build/html/.",
    );
    process.exit(1);
  }
  const env = {
    ...process.env,
    JUPYTER_PATH: [JUPYTER_PATH, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    PYDEVD_DISABLE_FILE_VALIDATION: "1", // silences a debugger warning on Debian's Python
  };
  const args = [app, "--no-browser", `--notebook-dir=${ROOT}`];
  // Jupyter refuses to start as root (containers, CI) unless told it is fine.
  if (process.getuid && process.getuid() === 0) args.push("--allow-root");
  args.push(...process.argv.slice(2));
  console.log(`Starting: jupyter ${args.join(" ")}\nPick the kernel "TypeScript (Tuning Lab)"; notebooks are in notebooks/.`);
  const child = spawn(jupyter, args, { env, stdio: "inherit" });
  // Ctrl-C reaches Jupyter directly (same process group): wait for it to
  // ask and stop. Other stop signals are passed on so Jupyter never outlives us.
  process.on("SIGINT", () => {});
  for (const sig of ["SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
}

main();
