/**
 * The model as its own judge (RLAIF: Lee et al., 2023). The judge is asked
 * through the chat template which of two replies is better, and its
 * preference is read without sampling: the softmax over its next-token
 * log-probabilities of "1" and "2", so P(reply 1 better) =
 * p("1") / (p("1") + p("2")). The RLAIF paper reads its labeller the same
 * way and, like it, this judge is meant to be used position-swapped
 * (`swapDebiased` in ./judge.ts): language-model judges prefer a position.
 *
 * A judge prompt that does not fit the model's context abstains (0.5) and
 * is counted in `stats.tooLong`, so a table can say how many it skipped.
 *
 * `judgeConversations` turns labelled pairs into SFT conversations (the
 * judge prompt, answered "1" or "2", in both orders): a judge tuned on a few
 * hundred human-labelled comparisons, which then labels thousands (the
 * label amplification RLAIF is used for).
 */
import { Message, renderChat, renderPrompt } from "../chat/template";
import { nextTokenProbs } from "../eval/next-token";
import type { GPT } from "../model/gpt";
import type { BpeTokenizer } from "../tokenizer/index";
import { Judge, JudgePair, requestOf } from "./judge";

/** The judge's question: the request, the two replies, and how to answer. */
export function judgeMessages(pair: Pick<JudgePair, "prompt" | "a" | "b">): Message[] {
  const one = (s: string) => s.trim().replace(/\n+/g, " / ");
  return [
    {
      role: "user",
      content:
        `Request: ${requestOf(pair.prompt)}\nReply 1: ${one(pair.a.content)}\nReply 2: ${one(pair.b.content)}\n` +
        `Which reply answers the request better, 1 or 2?`,
    },
  ];
}

/**
 * The tokens of the two answers: " 1" and " 2" share their leading-space
 * token here, so the judge's choice is the next token after that prefix.
 */
export function answerTokens(tok: BpeTokenizer): { prefix: number[]; one: number; two: number } {
  const a = tok.encode(" 1");
  const b = tok.encode(" 2");
  const n = a.length - 1;
  if (b.length !== a.length || a.slice(0, n).join() !== b.slice(0, n).join())
    throw new Error(
      `selfJudge: " 1" and " 2" tokenize to ${JSON.stringify(a)} and ${JSON.stringify(b)}; ` +
        `the judge needs them to differ only in their last token`,
    );
  return { prefix: a.slice(0, n), one: a[n], two: b[n] };
}

/** What labelling cost: forward passes (judge calls), tokens read, seconds, and abstentions. */
export interface JudgeStats {
  calls: number;
  tokens: number;
  seconds: number;
  tooLong: number;
}

/** A judge that also counts what it cost. */
export type CountingJudge = Judge & { stats: JudgeStats };

/** The model as judge: P(reply 1 better) from its next-token probabilities of "1" and "2". */
export function selfJudge(model: GPT, tok: BpeTokenizer, id = "self-judge"): CountingJudge {
  const ans = answerTokens(tok);
  const C = model.config.contextLength;
  const stats: JudgeStats = { calls: 0, tokens: 0, seconds: 0, tooLong: 0 };
  return {
    id,
    stats,
    label: (pairs) => {
      const t = Date.now();
      const prompts = pairs.map((p) => [...renderPrompt(tok, judgeMessages(p)), ...ans.prefix]);
      const fits = prompts.map((p) => p.length <= C);
      const asked = prompts.filter((_, i) => fits[i]);
      const rows = nextTokenProbs(model, tok, asked);
      let k = 0;
      const labels = prompts.map((_, i) => {
        if (!fits[i]) return 0.5;
        const r = rows[k++];
        const s = r[ans.one] + r[ans.two];
        return s > 0 ? r[ans.one] / s : 0.5;
      });
      stats.calls += asked.length;
      stats.tokens += asked.reduce((n, p) => n + p.length, 0);
      stats.tooLong += prompts.length - asked.length;
      stats.seconds += (Date.now() - t) / 1000;
      return labels;
    },
  };
}

/**
 * Labelled pairs as judge-training conversations: each pair in both orders,
 * answered with the better reply's number. Pairs labelled 0.5 (ties) and
 * judge prompts longer than the context are left out and counted.
 */
export function judgeConversations(
  tok: BpeTokenizer,
  pairs: readonly JudgePair[],
  labels: readonly number[],
  contextLength: number,
): { conversations: { messages: Message[]; source: string }[]; ties: number; tooLong: number } {
  const conversations: { messages: Message[]; source: string }[] = [];
  let ties = 0,
    tooLong = 0;
  pairs.forEach((p, i) => {
    if (labels[i] === 0.5) return void ties++;
    const aBetter = labels[i] > 0.5;
    for (const [x, y, first, order] of [
      [p.a, p.b, aBetter, ""],
      [p.b, p.a, !aBetter, " (swapped)"],
    ] as const) {
      const messages: Message[] = [
        ...judgeMessages({ prompt: p.prompt, a: x, b: y }),
        { role: "assistant", content: first ? "1" : "2" },
      ];
      if (renderChat(tok, messages).ids.length > contextLength) {
        tooLong++;
        continue;
      }
      conversations.push({ messages, source: `judge pair ${p.id}${order}` });
    }
  });
  return { conversations, ties, tooLong };
}
