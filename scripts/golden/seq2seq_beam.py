#!/usr/bin/python3
"""Beam search reference on the generated T5-shaped model's own logits: Python transformers' beam
search rules as gencore wrote them out (scripts/golden/generation_rules.py: the classic
BeamSearchScorer / BeamHypotheses of transformers v4.45 src/transformers/generation/beam_search.py and
the logits processors of logits_process.py) driven by the torch network that
scripts/fixtures/make_seq2seq_models.py exported (same seed, same weights), each step recomputed from
the whole decoder sequence without a cache — an independent path from ONNX Runtime and our caches.

  /usr/bin/python3 scripts/golden/seq2seq_beam.py GOLDEN.jsonl OUT.jsonl

GOLDEN.jsonl is the fixture's t5-translation.fp32.golden.jsonl (its batch-1 "input_ids" are the
encoder inputs). Prints one JSON line per case and text: {"case", "options", "input_ids",
"sequences": [{"tokens": new tokens, "score"}]}. eos_token_id is set per case to a token the model
emits early, so that hypotheses finish and the scorer's finished-hypothesis rules are exercised.
"""
import json
import os
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "fixtures"))
sys.path.insert(0, here)
import generation_rules as rules  # noqa: E402
import make_seq2seq_models as models  # noqa: E402

VOCAB, START = 32128, 0
golden, out_path = sys.argv[1], sys.argv[2]
texts = [json.loads(l) for l in open(golden, encoding="utf-8") if l.strip()]
texts = [t for t in texts if t["batch"] == 1][:2]
enc, dec = models.build_torch(VOCAB, models.SEEDS["t5-translation"])

CASES = [
    # name, options (GenerationOptions spelling), which generated position's greedy token becomes eos
    ("early_stopping_true", {"num_beams": 4, "early_stopping": True, "max_new_tokens": 6}, 2),
    ("early_stopping_false_lp2_ngram3", {"num_beams": 3, "early_stopping": False, "length_penalty": 2.0,
                                         "no_repeat_ngram_size": 3, "num_return_sequences": 2, "max_new_tokens": 7}, 3),
    ("early_stopping_never_lp_half", {"num_beams": 4, "early_stopping": "never", "length_penalty": 0.5,
                                      "num_return_sequences": 3, "max_new_tokens": 6}, 1),
    ("no_eos_reached", {"num_beams": 2, "max_new_tokens": 5}, None),
]

with open(out_path, "w", encoding="utf-8") as out, torch.no_grad():
    for t in texts:
        ids = torch.tensor([t["input_ids"]])
        mask = torch.ones_like(ids)
        hidden = enc(ids, mask)

        def logits_of(seq, vocab, salt, hidden=hidden, mask=mask):
            logits, _ = dec.run(torch.tensor([seq]), mask, hidden, None)
            return logits[0, -1].numpy().astype(np.float32)

        rules.toy_logits = logits_of  # the rules' model: this network
        for name, options, eos_at in CASES:
            eos = t["output_ids"][eos_at] if eos_at is not None else 1  # 1: T5's eos, never reached here
            cfg = dict(options, eos_token_id=[eos], pad_token_id=0)
            result = rules.beam_search(cfg, [[START]], VOCAB, 0)[0]
            opts = dict(options, eos_token_id=[eos])
            out.write(json.dumps({"case": name, "options": opts, "input_ids": t["input_ids"], "sequences": result}) + "\n")
