"""PyTorch reference for `npm run bench`: the same GPT as src/model/gpt.ts
(pre-LN, learned positions, tied head, tanh-GELU, separate q/k/v projections,
AdamW), timed for one training step of batch x context tokens on the CPU.

Usage: /usr/bin/python3 bench/torch_gpt.py '{"configs":[...], "repeats":5}'
Prints one JSON line: {"A": tokens_per_s, ...}.
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h, mlp):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.fc1, self.fc2 = nn.Linear(d, mlp * d), nn.Linear(mlp * d, d)

    def forward(self, x, mask):
        b, t, d = x.shape
        hd = d // self.h
        y = self.ln1(x)
        q, k, v = (f(y).view(b, t, self.h, hd).transpose(1, 2) for f in (self.q, self.k, self.v))
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
        att = att.masked_fill(mask[:t, :t], float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.o(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dModel"]
        self.wte = nn.Embedding(c["vocabSize"], d)
        self.wpe = nn.Embedding(c["contextLength"], d)
        self.blocks = nn.ModuleList(Block(d, c["nHeads"], c["mlpRatio"]) for _ in range(c["nLayers"]))
        self.lnf = nn.LayerNorm(d)
        t = c["contextLength"]
        self.register_buffer("mask", torch.triu(torch.ones(t, t, dtype=torch.bool), 1))

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for blk in self.blocks:
            x = blk(x, self.mask)
        return self.lnf(x) @ self.wte.weight.t()


def tokens_per_s(c, repeats):
    torch.manual_seed(0)
    model = GPT(c)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.01)
    b, t = c["batch"], c["contextLength"]
    x = torch.randint(0, c["vocabSize"], (b, t))

    def step():
        logits = model(x)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, c["vocabSize"]), x[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        loss.item()

    for _ in range(2):
        step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return b * t / sorted(times)[len(times) // 2]


def gemm_gflops():
    """Speed of one 1024² matmul: tells OpenBLAS (~100+ GFLOP/s here) from
    Debian's reference BLAS (~3 GFLOP/s), which torch falls back to when
    libopenblas0 (a Recommends of python3-torch) is not installed."""
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    a @ b
    t0 = time.perf_counter()
    for _ in range(5):
        a @ b
    return 5 * 2 * 1024**3 / (time.perf_counter() - t0) / 1e9


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    out = {c["name"]: tokens_per_s(c, spec["repeats"]) for c in spec["configs"]}
    out["gemm_gflops"] = gemm_gflops()
    print(json.dumps(out))
