#!/usr/bin/python3
"""Reference audio features, written out from Python transformers v4.57 (not installed here: no PyPI).

Follows, step by step, with Debian's numpy:
  - src/transformers/audio_utils.py: window_function, hertz_to_mel, mel_to_hertz, mel_filter_bank,
    _create_triangular_filter_bank, spectrogram (float64 frames, complex64 STFT storage,
    np.abs(float64) ** power, np.maximum(mel_floor, mel.T @ spec), log, float32 result);
  - models/whisper/feature_extraction_whisper.py (__call__ padding to n_samples, do_normalize,
    _np_extract_fbank_features: [:, :-1], max - 8, (x + 4) / 4, attention_mask[:, ::hop_length]);
  - models/wav2vec2/feature_extraction_wav2vec2.py (zero_mean_unit_var_norm, 1e-7);
  - models/audio_spectrogram_transformer/feature_extraction_audio_spectrogram_transformer.py
    (the numpy path: Kaldi mel filters, preemphasis, DC removal, pad/truncate, (x - mean)/(2 std)).
--backend torch computes the same spectrogram with torch.stft (transformers'
_torch_extract_fbank_features for Whisper, torchaudio.compliance.kaldi.fbank for AST): the second opinion.

  audio_features.py CONFIG.json SAMPLES.f32 OUT.f32 [--backend numpy|torch]
SAMPLES.f32: mono float32 samples at the config's rate. OUT.f32: the features, float32, row-major,
shape and name on stdout as JSON (with the attention mask when the config returns it).
"""
import argparse
import json
import sys
import time

import numpy as np


def window_function(window_length, name="hann", periodic=True):
    length = window_length + 1 if periodic else window_length
    if name == "hann":
        window = np.hanning(length)
    elif name == "hamming":
        window = np.hamming(length)
    elif name == "povey":
        window = np.power(np.hanning(length), 0.85)
    elif name == "boxcar":
        window = np.ones(length)
    else:
        raise ValueError(name)
    return window[:-1] if periodic else window


def hertz_to_mel(freq, mel_scale):
    if mel_scale == "htk":
        return 2595.0 * np.log10(1.0 + (freq / 700.0))
    if mel_scale == "kaldi":
        return 1127.0 * np.log(1.0 + (freq / 700.0))
    freq = np.asarray(freq, dtype=np.float64)
    mels = 3.0 * freq / 200.0
    log_region = freq >= 1000.0
    mels = np.where(log_region, 15.0 + np.log(np.maximum(freq, 1e-30) / 1000.0) * (27.0 / np.log(6.4)), mels)
    return mels


def mel_to_hertz(mels, mel_scale):
    if mel_scale == "htk":
        return 700.0 * (np.power(10, mels / 2595.0) - 1.0)
    if mel_scale == "kaldi":
        return 700.0 * (np.exp(mels / 1127.0) - 1.0)
    mels = np.asarray(mels, dtype=np.float64)
    freq = 200.0 * mels / 3.0
    return np.where(mels >= 15.0, 1000.0 * np.exp((np.log(6.4) / 27.0) * (mels - 15.0)), freq)


def mel_filter_bank(num_frequency_bins, num_mel_filters, min_frequency, max_frequency, sampling_rate,
                    norm=None, mel_scale="htk", triangularize_in_mel_space=False):
    mel_min = hertz_to_mel(min_frequency, mel_scale)
    mel_max = hertz_to_mel(max_frequency, mel_scale)
    mel_freqs = np.linspace(mel_min, mel_max, num_mel_filters + 2)
    filter_freqs = mel_to_hertz(mel_freqs, mel_scale)
    if triangularize_in_mel_space:
        fft_bin_width = sampling_rate / ((num_frequency_bins - 1) * 2)
        fft_freqs = hertz_to_mel(fft_bin_width * np.arange(num_frequency_bins), mel_scale)
        filter_freqs = mel_freqs
    else:
        fft_freqs = np.linspace(0, sampling_rate // 2, num_frequency_bins)
    # _create_triangular_filter_bank
    filter_diff = np.diff(filter_freqs)
    slopes = np.expand_dims(filter_freqs, 0) - np.expand_dims(fft_freqs, 1)
    down_slopes = -slopes[:, :-2] / filter_diff[:-1]
    up_slopes = slopes[:, 2:] / filter_diff[1:]
    mel_filters = np.maximum(np.zeros(1), np.minimum(down_slopes, up_slopes))
    if norm == "slaney":
        enorm = 2.0 / (filter_freqs[2:num_mel_filters + 2] - filter_freqs[:num_mel_filters])
        mel_filters *= np.expand_dims(enorm, 0)
    return mel_filters


def spectrogram(waveform, window, frame_length, hop_length, fft_length=None, power=1.0, center=True,
                pad_mode="reflect", preemphasis=None, mel_filters=None, mel_floor=1e-10, log_mel=None,
                remove_dc_offset=False, dtype=np.float32):
    if fft_length is None:
        fft_length = frame_length
    if center:
        padding = [(int(frame_length // 2), int(frame_length // 2))]
        waveform = np.pad(waveform, padding, mode=pad_mode)
    waveform = waveform.astype(np.float64)
    window = window.astype(np.float64)
    num_frames = int(1 + np.floor((waveform.size - frame_length) / hop_length))
    num_frequency_bins = (fft_length // 2) + 1
    spec = np.empty((num_frames, num_frequency_bins), dtype=np.complex64)
    buffer = np.zeros(fft_length)
    timestep = 0
    for frame_idx in range(num_frames):
        buffer[:frame_length] = waveform[timestep:timestep + frame_length]
        if remove_dc_offset:
            buffer[:frame_length] = buffer[:frame_length] - buffer[:frame_length].mean()
        if preemphasis is not None:
            buffer[1:frame_length] -= preemphasis * buffer[:frame_length - 1]
            buffer[0] *= 1 - preemphasis
        buffer[:frame_length] *= window
        spec[frame_idx] = np.fft.rfft(buffer)
        timestep += hop_length
    spec = np.abs(spec, dtype=np.float64) ** power
    spec = spec.T
    spec = np.maximum(mel_floor, np.dot(mel_filters.T, spec))
    if log_mel == "log":
        spec = np.log(spec)
    elif log_mel == "log10":
        spec = np.log10(spec)
    return np.asarray(spec, dtype)


def zero_mean_unit_var_norm(x, length, padding_value):
    normed = (x - x[:length].mean()) / np.sqrt(x[:length].var() + 1e-7)
    if length < normed.shape[0]:
        normed[length:] = padding_value
    return normed


def whisper(config, samples, backend, pad=True):
    """pad False: one input with padding="longest", truncation=False (the ASR pipeline past 30 s)."""
    sr = config.get("sampling_rate", 16000)
    n_fft, hop = config.get("n_fft", 400), config.get("hop_length", 160)
    feature_size = config.get("feature_size", 80)
    n_samples = config.get("chunk_length", 30) * sr if pad else len(samples)
    padding_value = config.get("padding_value", 0.0)
    wave = np.full(n_samples, padding_value, dtype=np.float32)
    real = min(len(samples), n_samples)
    wave[:real] = samples[:real]
    if config.get("do_normalize", False):
        wave = zero_mean_unit_var_norm(wave, real, padding_value).astype(np.float32)
    mel = mel_filter_bank(1 + n_fft // 2, feature_size, 0.0, 8000.0, sr, norm="slaney", mel_scale="slaney")
    if backend == "torch":
        import torch
        stft = torch.stft(torch.from_numpy(wave), n_fft, hop, window=torch.hann_window(n_fft), return_complex=True)
        magnitudes = stft[..., :-1].abs() ** 2
        mel_spec = torch.from_numpy(mel).type(torch.float32).T @ magnitudes
        log_spec = torch.clamp(mel_spec, min=1e-10).log10()
        log_spec = torch.maximum(log_spec, log_spec.max() - 8.0)
        log_spec = ((log_spec + 4.0) / 4.0).numpy()
    else:
        log_spec = spectrogram(wave, window_function(n_fft, "hann"), frame_length=n_fft, hop_length=hop, power=2.0,
                               mel_filters=mel, log_mel="log10")
        log_spec = log_spec[:, :-1]
        log_spec = np.maximum(log_spec, log_spec.max() - 8.0)
        log_spec = (log_spec + 4.0) / 4.0
    out = {"name": "input_features", "features": log_spec[None].astype(np.float32)}
    if config.get("return_attention_mask", False):
        mask = np.zeros(n_samples, dtype=np.int64)
        mask[:real] = 1
        out["attention_mask"] = mask[::hop][None]
    return out


def wav2vec2(config, samples, backend):
    x = samples.astype(np.float32)
    if config.get("do_normalize", True):
        x = zero_mean_unit_var_norm(x, len(x), config.get("padding_value", 0.0)).astype(np.float32)
    out = {"name": "input_values", "features": x[None]}
    if config.get("return_attention_mask", False):
        out["attention_mask"] = np.ones((1, len(x)), dtype=np.int64)
    return out


def ast(config, samples, backend):
    sr = config.get("sampling_rate", 16000)
    bins = config.get("num_mel_bins", 128)
    max_length = config.get("max_length", 1024)
    if backend == "torch":
        import torch
        import torchaudio.compliance.kaldi as ta_kaldi
        fbank = ta_kaldi.fbank(torch.from_numpy(samples.astype(np.float32)).unsqueeze(0), sample_frequency=sr,
                               window_type="hanning", num_mel_bins=bins).numpy()
    else:
        mel = mel_filter_bank(257, bins, 20, sr // 2, sr, norm=None, mel_scale="kaldi", triangularize_in_mel_space=True)
        fbank = spectrogram(samples, window_function(400, "hann", periodic=False), frame_length=400, hop_length=160,
                            fft_length=512, power=2.0, center=False, preemphasis=0.97, mel_filters=mel, log_mel="log",
                            mel_floor=1.192092955078125e-07, remove_dc_offset=True).T
    n_frames = fbank.shape[0]
    if n_frames < max_length:
        fbank = np.concatenate([fbank, np.zeros((max_length - n_frames, bins), dtype=fbank.dtype)])
    else:
        fbank = fbank[:max_length]
    fbank = fbank.astype(np.float32)
    if config.get("do_normalize", True):
        fbank = (fbank - config.get("mean", -4.2677393)) / (config.get("std", 4.5689974) * 2)
    out = {"name": "input_values", "features": fbank[None].astype(np.float32)}
    if config.get("return_attention_mask", False):
        mask = np.zeros(max_length, dtype=np.int64)
        mask[:min(n_frames, max_length)] = 1
        out["attention_mask"] = mask[None]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("samples")
    ap.add_argument("out")
    ap.add_argument("--backend", choices=["numpy", "torch"], default="numpy")
    args = ap.parse_args()
    config = json.load(open(args.config))
    samples = np.fromfile(args.samples, dtype=np.float32)
    kind = {"WhisperFeatureExtractor": whisper, "Wav2Vec2FeatureExtractor": wav2vec2,
            "ASTFeatureExtractor": ast}[config["feature_extractor_type"]]
    start, cpu = time.perf_counter(), time.process_time()
    out = kind(config, samples, args.backend)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    out["features"].astype(np.float32).tofile(args.out)
    info = {"name": out["name"], "shape": list(out["features"].shape), "seconds": seconds, "cpu_seconds": cpu_seconds}
    if "attention_mask" in out:
        info["attention_mask"] = out["attention_mask"].reshape(-1).tolist()
    json.dump(info, sys.stdout)


if __name__ == "__main__":
    main()
