#!/usr/bin/python3
"""Whisper greedy decoding by Python transformers' rules, on the torch network of the generated
Whisper sets (scripts/fixtures/make_whisper_models.py rebuilds it from its seed), for the cases where
transformers.js 4.3.1 does not follow Python: language detection, the full timestamp rules
(monotonic timestamps, max_initial_timestamp_index), long-form sequential decoding.

Written out from transformers (not installed here: no PyPI), read at commit 000dccdb:
  - models/whisper/generation_whisper.py: _retrieve_init_tokens (forced_decoder_ids -> prompt,
    language / task tokens, <|notimestamps|>), detect_language (one decoder step on
    <|startoftranscript|>, argmax over lang_to_id), _retrieve_logit_processors (begin_suppress,
    suppress, timestamp processor, begin_index = prompt length), the seek loop with
    _retrieve_segment and the eos / padding removal of generate_with_fallback;
  - generation/logits_process.py (v4.4x): SuppressTokensLogitsProcessor,
    SuppressTokensAtBeginLogitsProcessor, WhisperTimeStampLogitsProcessor;
  - pipelines/automatic_speech_recognition.py: padded features up to 30 s, the whole recording's
    features (truncation=False) past it;
  - models/whisper/tokenization_whisper.py: _decode_asr's timestamps and token split (written out
    below without the text decode: the test decodes each chunk's tokens with our tokenizer, which is
    tested against Hugging Face tokenizers elsewhere).
Features come from scripts/golden/audio_features.py (transformers' numpy path written out).

  whisper_rules.py CORPUS WHISPER_MODELS CASES.jsonl > OUT.jsonl   (WHISPER_MODELS: the fixture's
  folder, for tjs/NAME/tokenizer.json's special tokens)
CASES lines: {"model": "whisper-en" | "whisper-multi", "samples": F32 FILE, "options": {"language",
"task", "return_timestamps"}}. Output lines: the case plus {"tokens": the token ids _decode_asr is
given (one list), "chunks": [{"timestamp": [start, end], "tokens": [...]}], "language": the detected
language token id or null}.
"""
import json
import os
import sys

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "fixtures"))
sys.path.insert(0, here)
import audio_features  # noqa: E402
import make_whisper_models as mwm  # noqa: E402

NEG_INF = -float("inf")


def timestamp_rules(scores, seq_all, begin_index, no_ts, eos, max_initial):
    """WhisperTimeStampLogitsProcessor.__call__ for one row (float32 torch scores, in place)."""
    tb = no_ts + 1
    scores[no_ts] = NEG_INF
    seq = seq_all[begin_index:]
    last_ts = len(seq) >= 1 and seq[-1] >= tb
    penult_ts = len(seq) < 2 or seq[-2] >= tb
    if last_ts:
        if penult_ts:
            scores[tb:] = NEG_INF
        else:
            scores[:eos] = NEG_INF
    timestamps = [t for t in seq if t >= tb]
    if timestamps:
        timestamp_last = timestamps[-1] if (last_ts and not penult_ts) else timestamps[-1] + 1
        scores[tb:timestamp_last] = NEG_INF
    if len(seq_all) == begin_index:
        scores[:tb] = NEG_INF
        if max_initial is not None:
            scores[tb + max_initial + 1:] = NEG_INF
    logprobs = torch.log_softmax(scores.float(), dim=-1)
    if logprobs[tb:].logsumexp(dim=-1) > logprobs[:tb].max():
        scores[:tb] = NEG_INF


class Model:
    def __init__(self, corpus, name):
        self.enc, self.dec, self.config, self.gen = mwm.build_torch(corpus, name)
        with open(os.path.join(corpus, mwm.SOURCES[name], "preprocessor_config.json")) as f:
            self.pre = json.load(f)

    def logits(self, hidden, ids):
        with torch.no_grad():
            mask = torch.ones(1, hidden.shape[1], dtype=torch.int64)
            out, _ = self.dec.run(torch.tensor([ids]), mask, hidden, None)
        return out[0, -1].clone()

    def encode(self, window):
        with torch.no_grad():
            return self.enc(torch.from_numpy(window[None]))

    def greedy(self, hidden, prompt, timestamps):
        g = self.gen
        eos = g["eos_token_id"]
        ids = list(prompt)
        while len(ids) < g["max_length"]:
            s = self.logits(hidden, ids)
            if len(ids) == len(prompt):
                s[g["begin_suppress_tokens"]] = NEG_INF
            s[g["suppress_tokens"]] = NEG_INF
            if timestamps:
                timestamp_rules(s, ids, len(prompt), g["no_timestamps_token_id"], eos,
                                g.get("max_initial_timestamp_index"))
            t = int(torch.argmax(s))
            ids.append(t)
            if t == eos:
                break
        return ids[len(prompt):]

    def init_tokens(self, window, language, task, timestamps):
        g = self.gen
        forced = g.get("forced_decoder_ids")
        if task or language:
            forced = None
        init = [g["decoder_start_token_id"]]
        if forced and forced[0][0] == 1:
            i = 1
            while forced and forced[0][0] == i:
                init.append(forced[0][1])
                forced = forced[1:]
                i += 1
        undefined = len(init) <= 1 or init[1] is None
        lang = None
        detected = None
        if language:
            lang = g["lang_to_id"][f"<|{language}|>"]
        elif "lang_to_id" in g and undefined:
            s = self.logits(self.encode(window), [g["decoder_start_token_id"]])
            mask = torch.ones_like(s, dtype=torch.bool)
            mask[list(g["lang_to_id"].values())] = False
            s[mask] = NEG_INF
            lang = detected = int(torch.argmax(s))
        if lang is not None:
            if len(init) > 1:
                init[1] = lang
            else:
                init.append(lang)
        task_ids = list(g.get("task_to_id", {}).values())
        if task:
            tid = g["task_to_id"][task]
            init.append(tid)
            init = [tid if t in task_ids else t for t in init]
        elif language and task_ids and not any(t in task_ids for t in init):
            init.append(g["task_to_id"]["transcribe"])
        nts = g["no_timestamps_token_id"]
        if not timestamps and init[-1] != nts:
            init.append(nts)
        elif timestamps and init[-1] == nts:
            init = init[:-1]
        return [t for t in init if t is not None], detected

    def transcribe(self, samples, language, task, timestamps):
        g = self.gen
        n_samples = self.pre.get("chunk_length", 30) * self.pre.get("sampling_rate", 16000)
        long_form = len(samples) > n_samples
        feats = audio_features.whisper(self.pre, samples, "numpy", pad=not long_form)["features"][0]
        frames = feats.shape[1]
        seg_frames = 2 * self.config["max_source_positions"]

        def window(seek):
            w = np.zeros((feats.shape[0], seg_frames), dtype=np.float32)
            n = min(seg_frames, frames - seek)
            w[:, :n] = feats[:, seek:seek + n]
            return w

        timestamps = timestamps or long_form
        prompt, detected = self.init_tokens(window(0), language, task, timestamps)
        pad = g["pad_token_id"]
        if not long_form:
            seq = prompt + self.greedy(self.encode(window(0)), prompt, timestamps)
            if seq[-1] == pad:
                seq = seq[:-seq.count(pad)]
            return seq, detected
        tb = g["no_timestamps_token_id"] + 1
        out, seek = [], 0
        while seek < frames:
            num = min(frames - seek, seg_frames)
            seq = self.greedy(self.encode(window(seek)), prompt, True)
            if seek + seg_frames < frames and seq and seq[-1] == g["eos_token_id"]:
                seq = seq[:-1]
            if seq and seq[-1] == pad:
                seq = seq[:-seq.count(pad)]
            is_ts = [t >= tb for t in seq]
            single = is_ts[-2:] == [False, True]
            slices = [i + 1 for i in range(len(seq) - 1) if is_ts[i] and is_ts[i + 1]]
            keep, offset = len(seq), num
            if slices and not single:
                keep = slices[-1] + 1
                offset = (seq[keep - 1] - tb) * 2
            if offset == 0:  # see whisper_speech_recognition.cc: Python would not advance
                offset = num
            out += seq[:keep]
            seek += offset
        return out, detected


def decode_asr_chunks(tokens, tb, special, precision=0.02, segment_size=1500):
    """_decode_asr for one output without strides: chunk timestamps and their token lists."""
    chunks, cur = [], {"timestamp": [None, None], "tokens": []}
    current = []
    previous = []
    cur_max = prev_len = penult = 0.0
    for i, t in enumerate(tokens):
        if t in special:
            continue
        if t >= tb:
            ts = float((t - tb) * precision)
            if ts < cur_max:
                single = i >= 2 and not (tokens[i - 1] >= tb and tokens[i - 2] >= tb)
                if single:
                    prev_len += precision * segment_size
                else:
                    cur_max = penult
                    prev_len += penult
            penult = cur_max
            cur_max = ts
            time = round((t - tb) * precision + 0.0 + prev_len, 2)
            if cur["timestamp"][0] is None:
                cur["timestamp"][0] = time
            elif time != cur["timestamp"][0]:
                cur["timestamp"][1] = time
                previous.append(current)
                cur["tokens"] = [x for p in previous for x in p]  # one output: no overlap to merge
                chunks.append(cur)
                previous, current = [], []
                cur = {"timestamp": [None, None], "tokens": []}
        else:
            current.append(t)
    if current:
        previous.append(current)
    if previous:
        cur["tokens"] = [x for p in previous for x in p]
        chunks.append(cur)
    return chunks


def main():
    corpus, models_dir, cases_file = sys.argv[1:4]
    models = {}
    for line in open(cases_file):
        if not line.strip():
            continue
        case = json.loads(line)
        name = case["model"]
        if name not in models:
            models[name] = Model(corpus, name)
        m = models[name]
        samples = np.fromfile(case["samples"], dtype=np.float32)
        o = case.get("options", {})
        tokens, detected = m.transcribe(samples, o.get("language"), o.get("task"), o.get("return_timestamps", False))
        with open(os.path.join(models_dir, "tjs", name, "tokenizer.json"), encoding="utf-8") as f:
            special = {t["id"] for t in json.load(f)["added_tokens"] if t["special"]}
        tb = m.gen["no_timestamps_token_id"] + 1
        case.update({"tokens": tokens, "language": detected,
                     "chunks": decode_asr_chunks(tokens, tb, special)})
        print(json.dumps(case))


if __name__ == "__main__":
    main()
