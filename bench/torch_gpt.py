"""PyTorch reference for `npm run bench`: the same GPT as src/model/gpt.ts
(pre-LN, learned positions, tied head, tanh-GELU, separate q/k/v projections,
AdamW), timed for one training step of batch x context tokens on the CPU.
The export's parity test loads an `npm run export` folder into it
(`from_hf_folder`, used by bench/torch_hf_logits.py).

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
        # The scalar (reward) head of src/model/gpt.ts, when the config has one.
        self.score = nn.Linear(d, 1) if c.get("scalarHead") else None
        t = c["contextLength"]
        self.register_buffer("mask", torch.triu(torch.ones(t, t, dtype=torch.bool), 1))

    def hidden(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for blk in self.blocks:
            x = blk(x, self.mask)
        return self.lnf(x)

    def forward(self, idx):
        return self.hidden(idx) @ self.wte.weight.t()


SAFETENSORS_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    """{name: tensor} of a safetensors file, without the `safetensors` package:
    an 8-byte little-endian header length, a JSON header, then the raw data."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8 : 8 + n])
    body = memoryview(data)[8 + n :]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        t = torch.frombuffer(body[begin:end], dtype=SAFETENSORS_DTYPES[e["dtype"]]) if end > begin else torch.empty(0)
        out[name] = t.reshape(e["shape"]).float()
    return out


def from_hf_folder(folder):
    """This GPT with the weights of a GPT-2 Hugging Face folder (config.json and
    model.safetensors under GPT2LMHeadModel's names). GPT-2's Conv1D stores
    weights [in, out]; nn.Linear stores [out, in], hence the transposes, and
    c_attn holds q | k | v side by side along its output axis."""
    with open(f"{folder}/config.json") as f:
        hf = json.load(f)
    assert hf["activation_function"] in ("gelu_new", "gelu_pytorch_tanh"), hf["activation_function"]
    assert hf["layer_norm_epsilon"] == 1e-5, "nn.LayerNorm's default epsilon"
    w = read_safetensors(f"{folder}/model.safetensors")
    d = hf["n_embd"]
    c = {
        "vocabSize": hf["vocab_size"],
        "contextLength": hf["n_positions"],
        "dModel": d,
        "nLayers": hf["n_layer"],
        "nHeads": hf["n_head"],
        "mlpRatio": (hf["n_inner"] or 4 * d) // d,
        "scalarHead": "score.weight" in w,
    }
    model = GPT(c)
    t = "transformer."
    state = {"wte.weight": w[t + "wte.weight"], "wpe.weight": w[t + "wpe.weight"]}
    for i in range(c["nLayers"]):
        h, b = f"{t}h.{i}.", f"blocks.{i}."
        qkv_w, qkv_b = w[h + "attn.c_attn.weight"], w[h + "attn.c_attn.bias"]
        for j, n in enumerate("qkv"):
            state[b + n + ".weight"] = qkv_w[:, j * d : (j + 1) * d].t()
            state[b + n + ".bias"] = qkv_b[j * d : (j + 1) * d]
        for ours, theirs in (("o", "attn.c_proj"), ("fc1", "mlp.c_fc"), ("fc2", "mlp.c_proj")):
            state[b + ours + ".weight"] = w[h + theirs + ".weight"].t()
            state[b + ours + ".bias"] = w[h + theirs + ".bias"]
        for ours, theirs in (("ln1", "ln_1"), ("ln2", "ln_2")):
            state[b + ours + ".weight"] = w[h + theirs + ".weight"]
            state[b + ours + ".bias"] = w[h + theirs + ".bias"]
    state["lnf.weight"], state["lnf.bias"] = w[t + "ln_f.weight"], w[t + "ln_f.bias"]
    if c["scalarHead"]:
        state["score.weight"], state["score.bias"] = w["score.weight"], w["score.bias"]
    model.load_state_dict({**state, "mask": model.mask}, strict=True)
    return model.eval()


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
