"""Logits of an `npm run export` folder in the PyTorch reference model
(bench/torch_gpt.py), for the export's parity test (test/model/export.test.ts).

Usage: /usr/bin/python3 bench/torch_hf_logits.py FOLDER < ids.json
ids.json is a batch of token ids [[...], ...]; prints one JSON line
{"logits": [B][T][V], "scores": [B][T] or null}.
"""
import json
import sys

import torch

from torch_gpt import from_hf_folder

if __name__ == "__main__":
    model = from_hf_folder(sys.argv[1])
    ids = torch.tensor(json.load(sys.stdin), dtype=torch.long)
    with torch.no_grad():
        hidden = model.hidden(ids)
        logits = hidden @ model.wte.weight.t()
        scores = model.score(hidden).squeeze(-1).tolist() if model.score is not None else None
    print(json.dumps({"logits": logits.tolist(), "scores": scores}))
