#!/usr/bin/python3
"""Python transformers' generation rules written out in numpy (float32, as torch computes on float32
scores), the reference of tests/runtime/generation_test.cc. transformers is not installed here; each
rule below restates the code it reproduces:
  - logits processors / warpers: transformers src/transformers/generation/logits_process.py
    (commit 00857b6c, the v4.57+ line); ForceTokensLogitsProcessor from v4.39;
  - their order: GenerationMixin._get_logits_processor, src/transformers/generation/utils.py
    (commit 000034a4);
  - greedy search: GenerationMixin._sample (same file);
  - beam search: the classic BeamSearchScorer / BeamHypotheses of
    src/transformers/generation/beam_search.py (v4.45) driven as the old _beam_search loop did, an
    independent write-out of the rules the C++ code takes from the vectorised _beam_search.
Usage: generation_rules.py OUT.jsonl   (one JSON object per case; -inf written as null)
"""
import itertools
import json
import math
import sys

import numpy as np

F32 = np.float32
NEG_INF = F32(-np.inf)


# ---------------------------------------------------------------- numerics as torch does them
def softmax(x):
    x = np.asarray(x, F32)
    e = np.exp(x - x.max()).astype(F32)
    return (e / e.sum(dtype=F32)).astype(F32)


def log_softmax(x):
    x = np.asarray(x, F32)
    m = x.max()
    return (x - m - F32(np.log(np.exp(x - m).astype(F32).sum(dtype=F32)))).astype(F32)


def cumsum(p):  # torch's CPU cumsum accumulates float32 in double
    return np.cumsum(p.astype(np.float64)).astype(F32)


# ---------------------------------------------------------------- processors (one row)
def repetition_penalty(scores, ids, penalty, pad=None, left_padding=0):
    s = scores.copy()
    toks = set(ids) | ({pad} if (left_padding > 0 and pad is not None) else set())
    p = F32(penalty)
    for t in toks:  # gather, where(score < 0, score * p, score / p), scatter
        v = scores[t]
        s[t] = v * p if v < 0 else v / p
    return s


def ngram_bans(source, row, n):
    if len(row) + 1 < n:
        return []
    tail = tuple(row[len(row) + 1 - n:])
    return [source[i + n - 1] for i in range(len(source) - n + 1) if tuple(source[i:i + n - 1]) == tail]


def no_repeat_ngram(scores, ids, n):
    s = scores.copy()
    for t in ngram_bans(ids, ids, n):
        s[t] = NEG_INF
    return s


def encoder_no_repeat_ngram(scores, ids, encoder_ids, n):
    s = scores.copy()
    for t in ngram_bans(encoder_ids, ids, n):
        s[t] = NEG_INF
    return s


def no_bad_words(scores, ids, bad_words, eos):
    s = scores.copy()
    bad_words = [b for b in bad_words if not (len(b) == 1 and b[0] in eos)]
    for b in bad_words:
        if len(b) == 1 or (len(b) - 1 <= len(ids) and list(ids[len(ids) - len(b) + 1:]) == b[:-1]):
            s[b[-1]] = NEG_INF
    return s


def ban(scores, tokens):
    s = scores.copy()
    for t in tokens:
        s[t] = NEG_INF
    return s


def force(scores, tokens):
    s = np.full_like(scores, NEG_INF)
    for t in tokens:
        s[t] = F32(0)
    return s


def temperature(scores, t):
    return (scores / F32(t)).astype(F32)


def top_k(scores, k, min_keep=1):
    k = min(max(k, min_keep), scores.shape[-1])
    kth = np.sort(scores)[::-1][k - 1]
    return np.where(scores < kth, NEG_INF, scores).astype(F32)


def top_p(scores, p, min_keep=1):
    order = np.argsort(scores, kind="stable")  # ascending
    cum = cumsum(softmax(scores[order]))
    remove = cum <= F32(1 - p)
    remove[-min_keep:] = False
    s = scores.copy()
    s[order[remove]] = NEG_INF
    return s


def min_p(scores, mp, min_keep=1):
    probs = softmax(scores)
    scaled = F32(mp) * probs.max()
    remove = probs < scaled
    keep = np.argsort(-probs, kind="stable")[:min(min_keep, len(probs))]
    remove[keep] = False
    return np.where(remove, NEG_INF, scores).astype(F32)


def typical_p(scores, mass, min_keep=1):
    normalized = log_softmax(scores)
    p = np.exp(normalized).astype(F32)
    ent = -np.nansum((normalized * p).astype(F32), dtype=F32)
    shifted = np.abs(-normalized - ent).astype(F32)
    order = np.argsort(shifted, kind="stable")
    sorted_scores = shifted[order]
    cum = cumsum(softmax(scores[order]))
    last_ind = min(int((cum < F32(mass)).sum()), len(scores) - 1)
    remove = sorted_scores > sorted_scores[last_ind]
    remove[:min_keep] = False
    s = scores.copy()
    s[order[remove]] = NEG_INF
    return s


def process(cfg, scores, row, vocab):
    """_get_logits_processor's order for a generation_config-style dict `cfg` and one row
    {ids, cur_len, prompt_len, left_padding, encoder_ids}."""
    eos = cfg.get("eos_token_id", [])
    eos = [eos] if isinstance(eos, int) else eos
    ids, cur_len, prompt_len = row["ids"], row["cur_len"], row["prompt_len"]
    s = np.asarray(scores, F32)
    if cfg.get("repetition_penalty", 1.0) != 1.0:
        s = repetition_penalty(s, ids, cfg["repetition_penalty"], cfg.get("pad_token_id", eos[0] if eos else None),
                               row.get("left_padding", 0))
    if cfg.get("no_repeat_ngram_size", 0) > 0:
        s = no_repeat_ngram(s, ids, cfg["no_repeat_ngram_size"])
    if cfg.get("encoder_no_repeat_ngram_size", 0) > 0:
        s = encoder_no_repeat_ngram(s, ids, row["encoder_ids"], cfg["encoder_no_repeat_ngram_size"])
    if cfg.get("bad_words_ids"):
        s = no_bad_words(s, ids, cfg["bad_words_ids"], eos)
    if cfg.get("min_length", 0) > 0 and eos and cur_len < cfg["min_length"]:
        s = ban(s, eos)
    if cfg.get("min_new_tokens", 0) > 0 and eos and cur_len - prompt_len < cfg["min_new_tokens"]:
        s = ban(s, eos)
    if cfg.get("forced_bos_token_id") is not None and cur_len == 1:
        s = force(s, [cfg["forced_bos_token_id"]])
    if cfg.get("forced_eos_token_id") is not None:
        fe = cfg["forced_eos_token_id"]
        fe = [fe] if isinstance(fe, int) else fe
        max_length = prompt_len + cfg["max_new_tokens"] if "max_new_tokens" in cfg else cfg.get("max_length", 20)
        if cur_len == max_length - 1:
            s = force(s, fe)
    if cfg.get("suppress_tokens"):
        s = ban(s, cfg["suppress_tokens"])
    if cfg.get("begin_suppress_tokens"):
        begin = prompt_len if (prompt_len > 1 or cfg.get("forced_bos_token_id") is None) else prompt_len + 1
        if cur_len == begin:
            s = ban(s, cfg["begin_suppress_tokens"])
    for index, token in cfg.get("forced_decoder_ids") or []:
        if index == cur_len:
            s = force(s, [token])
            break
    if cfg.get("do_sample"):
        keep = max(len(eos) + 1, 2) if cfg.get("num_beams", 1) > 1 else 1
        if cfg.get("temperature", 1.0) != 1.0:
            s = temperature(s, cfg["temperature"])
        if cfg.get("top_k", 50) != 0:
            s = top_k(s, cfg.get("top_k", 50), keep)
        if cfg.get("top_p", 1.0) < 1.0:
            s = top_p(s, cfg["top_p"], keep)
        if cfg.get("min_p") is not None:
            s = min_p(s, cfg["min_p"], keep)
        if cfg.get("typical_p", 1.0) < 1.0:
            s = typical_p(s, cfg["typical_p"], keep)
    return s


# ---------------------------------------------------------------- the toy model (same in C++)
def toy_logits(seq, vocab, salt):
    h = salt & 0xFFFFFFFF
    for t in seq:
        h = (h * 1000003 + t + 1) & 0xFFFFFFFF
    out = np.empty(vocab, F32)
    for t in range(vocab):
        x = (h ^ ((t * 2654435761) & 0xFFFFFFFF)) & 0xFFFFFFFF
        x = (x * 2246822519 + 3266489917) & 0xFFFFFFFF
        x ^= x >> 15
        out[t] = F32(x % 20011) / F32(2000.0)
    return out


def greedy(cfg, prompts, vocab, salt):
    """_sample without sampling: processors on the raw logits, argmax, per-row eos / max length."""
    prompt_len = max(len(p) for p in prompts)
    max_length = prompt_len + cfg["max_new_tokens"] if "max_new_tokens" in cfg else cfg.get("max_length", 20)
    eos = cfg.get("eos_token_id", [])
    eos = [eos] if isinstance(eos, int) else eos
    out = []
    for p in prompts:
        ids = list(p)
        gen = 0
        while True:
            row = {"ids": ids, "cur_len": prompt_len + gen, "prompt_len": prompt_len, "left_padding": prompt_len - len(p)}
            s = process(cfg, toy_logits(ids, vocab, salt), row, vocab)
            t = int(np.argmax(s))
            ids.append(t)
            gen += 1
            if t in eos or prompt_len + gen >= max_length:
                break
        out.append(ids[len(p):])
    return out


class BeamHypotheses:  # beam_search.py BeamHypotheses
    def __init__(self, num_beams, length_penalty, early_stopping, max_length):
        self.num_beams, self.length_penalty, self.early_stopping, self.max_length = num_beams, length_penalty, early_stopping, max_length
        self.beams, self.worst_score = [], 1e9

    def add(self, hyp, sum_logprobs, generated_len):
        score = sum_logprobs / (generated_len ** self.length_penalty)
        if len(self.beams) < self.num_beams or score > self.worst_score:
            self.beams.append((score, hyp))
            if len(self.beams) > self.num_beams:
                ranked = sorted([(s, i) for i, (s, _) in enumerate(self.beams)])
                del self.beams[ranked[0][1]]
                self.worst_score = ranked[1][0]
            else:
                self.worst_score = min(score, self.worst_score)

    def is_done(self, best_sum_logprobs, cur_len, prompt_len):
        if len(self.beams) < self.num_beams:
            return False
        if self.early_stopping is True:
            return True
        if self.early_stopping is False or self.length_penalty <= 0.0:
            best = best_sum_logprobs / (cur_len - prompt_len) ** self.length_penalty
        else:
            best = best_sum_logprobs / (self.max_length - prompt_len) ** self.length_penalty
        return self.worst_score >= best


def beam_search(cfg, prompts, vocab, salt):
    """The classic _beam_search loop with BeamSearchScorer.process / finalize (one eos id)."""
    num_beams = cfg["num_beams"]
    lp = cfg.get("length_penalty", 1.0)
    es = cfg.get("early_stopping", False)
    eos = cfg["eos_token_id"]
    eos = [eos] if isinstance(eos, int) else eos
    prompt_len = max(len(p) for p in prompts)
    max_length = prompt_len + cfg["max_new_tokens"] if "max_new_tokens" in cfg else cfg.get("max_length", 20)
    nrs = cfg.get("num_return_sequences", 1)
    results = []
    for p in prompts:  # batch items are independent
        hyps = BeamHypotheses(num_beams, lp, es, max_length)
        beams = [list(p) for _ in range(num_beams)]
        beam_scores = np.zeros(num_beams, F32)
        beam_scores[1:] = F32(-1e9)
        cur_len = prompt_len
        done = False
        while True:
            rows = []
            for j in range(num_beams):
                row = {"ids": beams[j], "cur_len": cur_len, "prompt_len": prompt_len, "left_padding": prompt_len - len(p)}
                rows.append((process(cfg, log_softmax(toy_logits(beams[j], vocab, salt)), row, vocab) + beam_scores[j]).astype(F32))
            flat = np.concatenate(rows)
            k = max(2, 1 + len(eos)) * num_beams
            order = sorted(range(len(flat)), key=lambda i: (-flat[i], i))[:k]
            new_len = cur_len + 1
            next_beams, next_scores = [], []
            for rank, i in enumerate(order):
                b, t = divmod(i, vocab)
                if t in eos:
                    if rank >= num_beams:
                        continue
                    hyps.add(beams[b] + [t], float(flat[i]), new_len - prompt_len)  # eos kept (finalize appends it)
                else:
                    next_beams.append(beams[b] + [t])
                    next_scores.append(flat[i])
                if len(next_beams) == num_beams:
                    break
            done = done or hyps.is_done(float(flat[order[0]]), new_len, prompt_len)
            beams, beam_scores, cur_len = next_beams, np.array(next_scores, F32), new_len
            if done or cur_len >= max_length:
                break
        if not done:
            for j in range(num_beams):
                hyps.add(beams[j], float(beam_scores[j]), cur_len - prompt_len)
        best = sorted(hyps.beams, key=lambda x: x[0], reverse=True)[:nrs]
        results.append([{"tokens": h[len(p):], "score": float(s)} for s, h in best])
    return results


# ---------------------------------------------------------------- the cases
def f32list(a):
    return [None if np.isneginf(v) else float(v) for v in np.asarray(a, F32)]


def processor_cases(rng):
    V = 32
    ids = [3, 7, 3, 9, 7, 12, 3, 7]
    base_row = {"ids": ids, "cur_len": 8, "prompt_len": 5, "left_padding": 0, "encoder_ids": [4, 3, 7, 20, 3, 7, 21]}
    cases = [
        ("repetition_penalty", {"repetition_penalty": 1.3}, {}),
        ("repetition_penalty_pad", {"repetition_penalty": 2.0, "pad_token_id": 30}, {"left_padding": 2}),
        ("no_repeat_ngram_2", {"no_repeat_ngram_size": 2}, {}),
        ("no_repeat_ngram_3", {"no_repeat_ngram_size": 3}, {}),
        ("no_repeat_ngram_too_short", {"no_repeat_ngram_size": 10}, {}),
        ("encoder_no_repeat_ngram_2", {"encoder_no_repeat_ngram_size": 2}, {}),
        ("bad_words", {"bad_words_ids": [[5], [3, 7, 11], [12, 3, 7, 13], [2, 2], [1]], "eos_token_id": 1}, {}),
        ("min_length_active", {"min_length": 9, "eos_token_id": [1, 2]}, {}),
        ("min_length_done", {"min_length": 8, "eos_token_id": [1, 2]}, {}),
        ("min_new_tokens_active", {"min_new_tokens": 4, "eos_token_id": 1}, {}),
        ("min_new_tokens_done", {"min_new_tokens": 3, "eos_token_id": 1}, {}),
        ("forced_bos", {"forced_bos_token_id": 6}, {"cur_len": 1, "prompt_len": 1, "ids": [0]}),
        ("forced_bos_later", {"forced_bos_token_id": 6}, {}),
        ("forced_eos", {"forced_eos_token_id": [1, 4], "max_new_tokens": 4}, {}),
        ("suppress", {"suppress_tokens": [0, 5, 31]}, {}),
        ("begin_suppress_active", {"begin_suppress_tokens": [1, 2]}, {"cur_len": 5}),
        ("begin_suppress_inactive", {"begin_suppress_tokens": [1, 2]}, {}),
        ("begin_suppress_forced_bos", {"begin_suppress_tokens": [1, 2], "forced_bos_token_id": 6},
         {"cur_len": 2, "prompt_len": 1, "ids": [0, 6]}),
        ("forced_decoder_ids", {"forced_decoder_ids": [[7, 4], [8, 9]]}, {}),
        ("temperature", {"do_sample": True, "temperature": 0.7, "top_k": 0}, {}),
        ("top_k", {"do_sample": True, "top_k": 5}, {}),
        ("top_k_beam_keep", {"do_sample": True, "top_k": 1, "num_beams": 2, "eos_token_id": [1, 2]}, {}),
        ("top_p_09", {"do_sample": True, "top_k": 0, "top_p": 0.9}, {}),
        ("top_p_05", {"do_sample": True, "top_k": 0, "top_p": 0.5}, {}),
        ("top_p_tiny_keep2", {"do_sample": True, "top_k": 0, "top_p": 0.01, "num_beams": 3, "eos_token_id": 1}, {}),
        ("top_k_then_top_p", {"do_sample": True, "top_k": 10, "top_p": 0.8}, {}),
        ("min_p", {"do_sample": True, "top_k": 0, "min_p": 0.1}, {}),
        ("min_p_keep3", {"do_sample": True, "top_k": 0, "min_p": 0.9, "num_beams": 2, "eos_token_id": [1, 2]}, {}),
        ("typical_p", {"do_sample": True, "top_k": 0, "typical_p": 0.9}, {}),
        ("everything", {"do_sample": True, "repetition_penalty": 1.2, "no_repeat_ngram_size": 2, "bad_words_ids": [[5]],
                        "min_new_tokens": 5, "eos_token_id": 1, "suppress_tokens": [0], "temperature": 0.8, "top_k": 12,
                        "top_p": 0.85, "min_p": 0.02}, {}),
    ]
    out = []
    for name, cfg, row_override in cases:
        row = dict(base_row, **row_override)
        logits = (rng.standard_normal(V) * 3).astype(F32)
        expected = process(cfg, logits, row, V)
        out.append({"kind": "processor", "name": name, "config": cfg, "row": row, "vocab": V,
                    "logits": f32list(logits), "expected": f32list(expected)})
    return out


def loop_cases():
    out = []
    greedy_cases = [
        ("greedy_plain", {"max_new_tokens": 12, "eos_token_id": 1}, [[5, 6, 7]], 16, 11),
        ("greedy_penalties", {"max_new_tokens": 16, "eos_token_id": 1, "repetition_penalty": 1.5,
                              "no_repeat_ngram_size": 2, "min_new_tokens": 6}, [[5, 6, 7], [9]], 12, 3),
        ("greedy_batch_bad_words", {"max_new_tokens": 10, "eos_token_id": [1, 2], "bad_words_ids": [[3], [4, 5]],
                                    "forced_eos_token_id": 2}, [[8, 8, 8, 8], [4], [6, 4]], 10, 5),
        ("greedy_max_length", {"max_length": 9, "eos_token_id": 0}, [[3, 4, 5, 6]], 20, 7),
    ]
    for name, cfg, prompts, vocab, salt in greedy_cases:
        out.append({"kind": "greedy", "name": name, "config": cfg, "prompts": prompts, "vocab": vocab, "salt": salt,
                    "expected": greedy(cfg, prompts, vocab, salt)})
    # Toy models (vocab, salt) where eos ends hypotheses in the middle of the search and the three
    # early_stopping modes disagree (found by scanning salts with this script's beam_search).
    beam_cases = [
        ("beam_false", {"num_beams": 3, "max_new_tokens": 6, "eos_token_id": 1, "num_return_sequences": 3}, [[0]], 5, 4),
        ("beam_true", {"num_beams": 3, "max_new_tokens": 6, "eos_token_id": 1, "num_return_sequences": 3,
                       "early_stopping": True}, [[0]], 5, 4),
        ("beam_never", {"num_beams": 3, "max_new_tokens": 6, "eos_token_id": 1, "num_return_sequences": 3,
                        "early_stopping": "never"}, [[0]], 5, 4),
        ("beam_lp2_false", {"num_beams": 3, "max_new_tokens": 7, "eos_token_id": 1, "length_penalty": 2.0,
                            "num_return_sequences": 2}, [[0]], 5, 13),
        ("beam_lp2_never", {"num_beams": 3, "max_new_tokens": 7, "eos_token_id": 1, "length_penalty": 2.0,
                            "num_return_sequences": 2, "early_stopping": "never"}, [[0]], 5, 13),
        ("beam_lp_negative", {"num_beams": 4, "max_new_tokens": 7, "eos_token_id": 2, "length_penalty": -1.0,
                              "num_return_sequences": 2, "early_stopping": "never"}, [[0]], 6, 9),
        ("beam_batch", {"num_beams": 2, "max_new_tokens": 8, "eos_token_id": 1, "num_return_sequences": 2},
         [[0], [0, 3], [2, 2]], 5, 6),
        ("beam_batch_true", {"num_beams": 3, "max_new_tokens": 8, "eos_token_id": 1, "early_stopping": True},
         [[0], [4], [2, 2, 2]], 5, 15),
        ("beam_processors", {"num_beams": 3, "max_new_tokens": 8, "eos_token_id": 1, "no_repeat_ngram_size": 2,
                             "repetition_penalty": 1.4, "min_length": 4}, [[0, 2]], 9, 21),
    ]
    for name, cfg, prompts, vocab, salt in beam_cases:
        out.append({"kind": "beam", "name": name, "config": cfg, "prompts": prompts, "vocab": vocab, "salt": salt,
                    "expected": beam_search(cfg, prompts, vocab, salt)})
    return out


def main():
    rng = np.random.default_rng(20260112)
    cases = processor_cases(rng) + loop_cases()
    with open(sys.argv[1], "w") as f:
        for c in cases:
            f.write(json.dumps(c) + "\n")


if __name__ == "__main__":
    main()
