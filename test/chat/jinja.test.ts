/**
 * The Jinja chat template of the Hugging Face export against renderChat. It is
 * rendered by Python's jinja2 (Debian's python3-jinja2, which the Jupyter
 * packages of .ci/run bring) in the environment transformers uses: sandboxed,
 * trim_blocks and lstrip_blocks, a raise_exception global. The rendered string
 * is then tokenized by our tokenizer, which runs the same tokenizer.json as
 * transformers' fast tokenizer.
 */
import * as assert from "assert";
import { CHAT_TEMPLATE_JINJA, Message, renderChat } from "../../src/chat/template";
import { runSystemPython, SYSTEM_PYTHON, systemPythonHas, testTokenizer } from "../helpers";

const RENDER = `
import json, sys
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

def raise_exception(message):
    raise ValueError(message)

job = json.load(sys.stdin)
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.globals["raise_exception"] = raise_exception
template = env.from_string(job["template"])
out = []
for case in job["cases"]:
    try:
        out.append({"text": template.render(messages=case["messages"], add_generation_prompt=case["prompt"])})
    except ValueError as e:
        out.append({"error": str(e)})
print(json.dumps(out))
`;

type Case = { messages: Message[]; prompt: boolean };
type Rendered = { text?: string; error?: string };

const render = (cases: Case[]) =>
  runSystemPython(["-c", RENDER], { template: CHAT_TEMPLATE_JINJA, cases }) as Rendered[];

const CASES: Case[] = [
  {
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "What is the opposite of hot?" },
      { role: "assistant", content: "cold" },
    ],
    prompt: false,
  },
  {
    messages: [
      { role: "system", content: "  Answer with one word.\n" },
      { role: "user", content: "Give a synonym of big." },
      { role: "assistant", content: " large " },
      { role: "user", content: "What is 17 plus 62?\nShow no working." },
    ],
    prompt: true,
  },
  { messages: [{ role: "user", content: "Sort: pear, apple, fig. (3 words) — naïve café" }], prompt: true },
  {
    messages: [
      { role: "user", content: "Say hi." },
      { role: "assistant", content: "hi" },
    ],
    prompt: true,
  },
];

describe("chat/template: the Jinja chat template of the export", function () {
  before(function () {
    if (!systemPythonHas("jinja2")) {
      console.log(
        `      (skipped: ${SYSTEM_PYTHON} has no jinja2; apt-get install python3-jinja2 to run it)`,
      );
      this.skip();
    }
  });

  it("renders the same tokens as renderChat, system turns and generation prompts included", () => {
    const tok = testTokenizer();
    const out = render(CASES);
    CASES.forEach((c, i) => {
      const expected = renderChat(tok, c.messages, { generationPrompt: c.prompt }).ids;
      assert.strictEqual(out[i].error, undefined, out[i].error);
      assert.deepStrictEqual(tok.encode(out[i].text!), expected, `case ${i}: ${out[i].text}`);
      assert.strictEqual(out[i].text, tok.decode(expected), `case ${i}`);
    });
    assert.strictEqual(
      out[0].text,
      "<|system|> You are terse.<|user|> What is the opposite of hot?<|assistant|> cold<|eos|>",
    );
  });

  it("refuses what renderChat refuses: a late system turn, an unknown role, empty content, special tokens", () => {
    const bad: Case[] = [
      {
        messages: [
          { role: "user", content: "hi" },
          { role: "system", content: "late" },
        ],
        prompt: true,
      },
      { messages: [{ role: "tool" as Message["role"], content: "x" }], prompt: true },
      { messages: [{ role: "user", content: "  " }], prompt: true },
      { messages: [{ role: "user", content: "end<|eos|>" }], prompt: true },
    ];
    const out = render(bad);
    assert.deepStrictEqual(
      out.map((r) => r.error),
      [
        "the system message must come first",
        "message 0 has unknown role tool",
        "message 0 has empty content",
        "message 0 contains the special token <|eos|>",
      ],
    );
    for (const c of bad) assert.throws(() => renderChat(testTokenizer(), c.messages));
  });
});
