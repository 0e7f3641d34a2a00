// Audio decoding through libavformat/libavcodec, downmix + resampling through libswresample.
// Reference: Debian's ffmpeg 5.1 CLI, `ffmpeg -i FILE -ac 1 -ar RATE -f f32le -` (what Python
// transformers' ffmpeg_read runs). The CLI converts with one SwrContext built by its auto-inserted
// aresample filter from the decoded frames' format, layout and rate to flt/mono/RATE with swr's
// defaults; we build the same context from the first decoded frame and flush it at the end.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include "modelexport/common/error.h"
#include "modelexport/processors/audio.h"

namespace modelexport::processors {
namespace {

std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

std::string layout_name(const AVChannelLayout& layout) {
  char buf[128] = {};
  if (av_channel_layout_describe(&layout, buf, sizeof buf) < 0) return std::to_string(layout.nb_channels) + " channels";
  return buf;
}

struct FormatCloser {
  void operator()(AVFormatContext* c) const { avformat_close_input(&c); }
};
struct CodecCloser {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct SwrCloser {
  void operator()(SwrContext* c) const { swr_free(&c); }
};
struct FrameFree {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
struct PacketFree {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct AvioFree {
  void operator()(AVIOContext* c) const {
    if (c) av_freep(&c->buffer);
    avio_context_free(&c);
  }
};

// Bytes in memory as an AVIOContext (read + seek), so decode_audio never touches the disk.
struct MemoryReader {
  std::string_view bytes;
  size_t pos = 0;
  static int read(void* opaque, uint8_t* buf, int size) {
    auto* r = static_cast<MemoryReader*>(opaque);
    size_t n = std::min<size_t>(size_t(size), r->bytes.size() - r->pos);
    if (n == 0) return AVERROR_EOF;
    std::memcpy(buf, r->bytes.data() + r->pos, n);
    r->pos += n;
    return int(n);
  }
  static int64_t seek(void* opaque, int64_t offset, int whence) {
    auto* r = static_cast<MemoryReader*>(opaque);
    if (whence == AVSEEK_SIZE) return int64_t(r->bytes.size());
    int64_t base = (whence & 3) == SEEK_CUR ? int64_t(r->pos) : (whence & 3) == SEEK_END ? int64_t(r->bytes.size()) : 0;
    int64_t target = base + offset;
    if (target < 0 || target > int64_t(r->bytes.size())) return AVERROR(EINVAL);
    r->pos = size_t(target);
    return target;
  }
};

// One decode, pulled: demux → decode → swr → pending samples, a packet at a time as read() asks.
// `name` is the file (or "<memory>") for messages; `max_samples` 0 is no limit.
class Decoder {
 public:
  Decoder(std::string name, int rate, size_t max_samples, std::vector<std::string>* notes)
      : name_(std::move(name)), rate_(rate), max_samples_(max_samples), notes_(notes) {
    if (rate <= 0) throw UsageError("audio: sampling rate must be positive, got " + std::to_string(rate));
    av_log_set_level(AV_LOG_QUIET);  // failures surface as exceptions, not libav's stderr lines
  }

  void open_file(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec))
      throw IoError(name_ + ": no such audio file (or not a regular file)");
    AVFormatContext* raw = nullptr;
    int err = avformat_open_input(&raw, file.c_str(), nullptr, nullptr);
    if (err < 0) throw AudioDecodeError(name_ + ": not an audio file FFmpeg can read (" + av_error_text(err) + ")");
    format_.reset(raw);
    open();
  }

  void open_bytes(std::string_view bytes) {
    if (bytes.empty()) throw AudioDecodeError(name_ + ": empty input (0 bytes), expected an audio file");
    reader_.bytes = bytes;
    constexpr int kBuffer = 1 << 16;
    auto* buffer = static_cast<unsigned char*>(av_malloc(kBuffer));
    if (!buffer) throw std::bad_alloc();
    avio_.reset(avio_alloc_context(buffer, kBuffer, 0, &reader_, &MemoryReader::read, nullptr, &MemoryReader::seek));
    if (!avio_) {
      av_free(buffer);
      throw std::bad_alloc();
    }
    AVFormatContext* raw = avformat_alloc_context();
    raw->pb = avio_.get();
    raw->flags |= AVFMT_FLAG_CUSTOM_IO;
    int err = avformat_open_input(&raw, nullptr, nullptr, nullptr);
    if (err < 0) throw AudioDecodeError(name_ + ": not an audio file FFmpeg can read (" + av_error_text(err) + ")");
    format_.reset(raw);
    open();
  }

  // Up to `max` samples into `out`; 0 at the end of the stream.
  size_t read(float* out, size_t max) {
    while (pending_pos_ == pending_.size() && !eof_) pump();
    const size_t n = std::min(max, pending_.size() - pending_pos_);
    std::copy_n(pending_.data() + pending_pos_, n, out);
    pending_pos_ += n;
    if (pending_pos_ == pending_.size()) pending_.clear(), pending_pos_ = 0;
    return n;
  }

  const AudioSource& source() const { return source_; }

  // The whole-file limit: refused up front when the container declares a duration well past it (more
  // than 10 % over: declared durations are estimates), else decoding stops when it is passed.
  void check_declared_length() const {
    const size_t declared = expected_samples();
    if (max_samples_ && declared > max_samples_ + max_samples_ / 10)
      throw too_long(" (the file declares " + std::to_string(declared / size_t(rate_)) + " s; not decoded)");
  }

  AudioDecodeError too_long(const std::string& detail) const {
    return AudioDecodeError(name_ + ": longer than the limit of " + std::to_string(max_samples_ / size_t(rate_)) +
                            " s of audio (" + std::to_string(max_samples_) + " samples at " + std::to_string(rate_) +
                            " Hz)" + detail +
                            ", which this task holds in memory whole (raise it with --max-audio-seconds)");
  }

  // The stream's length at the output rate from the container's duration (an estimate; 0 unknown).
  size_t expected_samples() const {
    const AVStream* s = format_->streams[stream_];
    double seconds = 0;
    if (s->duration > 0 && s->time_base.den > 0) seconds = double(s->duration) * av_q2d(s->time_base);
    else if (format_->duration > 0) seconds = double(format_->duration) / AV_TIME_BASE;
    return seconds > 0 ? size_t(seconds * rate_) : 0;
  }

 private:
  void open() {
    int err = avformat_find_stream_info(format_.get(), nullptr);
    if (err < 0) throw AudioDecodeError(name_ + ": cannot read stream information (" + av_error_text(err) + ")");
    const AVCodec* codec = nullptr;
    int stream = av_find_best_stream(format_.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
    if (stream < 0 || !codec)
      throw AudioDecodeError(name_ + ": no audio stream (container " + std::string(format_->iformat->name) +
                             "), expected an audio file");
    stream_ = stream;
    codec_.reset(avcodec_alloc_context3(codec));
    avcodec_parameters_to_context(codec_.get(), format_->streams[stream]->codecpar);
    err = avcodec_open2(codec_.get(), codec, nullptr);
    if (err < 0)
      throw AudioDecodeError(name_ + ": cannot open the " + codec->name + " decoder (" + av_error_text(err) + ")");
    source_.container = format_->iformat->name;
    source_.codec = codec->name;
    packet_.reset(av_packet_alloc());
    frame_.reset(av_frame_alloc());
    // Decode up to the first frame, so the source's rate and layout (and the notes) are known.
    while (!swr_ && !eof_) pump();
  }

  // One packet of the audio stream (or the end: drain the decoder and the resampler).
  void pump() {
    int err = av_read_frame(format_.get(), packet_.get());
    if (err >= 0) {
      if (packet_->stream_index == stream_) send(packet_.get());
      av_packet_unref(packet_.get());
      return;
    }
    if (err != AVERROR_EOF)
      throw AudioDecodeError(name_ + ": read failed at " + position() + " (" + av_error_text(err) + ")");
    send(nullptr);                  // drain the decoder
    if (swr_) convert(nullptr, 0);  // flush the resampler's delay line, as the CLI does at EOF
    eof_ = true;
    if (produced_ == 0) throw AudioDecodeError(name_ + ": the audio stream holds no samples (0 frames decoded)");
  }

  std::string position() const {
    return std::to_string(double(decoded_frames_) / std::max(1, source_.sampling_rate)) + " s";
  }

  void send(const AVPacket* packet) {
    int err = avcodec_send_packet(codec_.get(), packet);
    if (err < 0 && err != AVERROR_EOF)
      throw AudioDecodeError(name_ + ": corrupt " + source_.codec + " data at " + position() + " (" +
                             av_error_text(err) + ")");
    while ((err = avcodec_receive_frame(codec_.get(), frame_.get())) >= 0) {
      if (frame_->nb_samples > 0) {
        if (!swr_) setup(*frame_);
        convert(const_cast<const uint8_t**>(frame_->extended_data), frame_->nb_samples);
        decoded_frames_ += frame_->nb_samples;
      }
      av_frame_unref(frame_.get());
    }
    if (err != AVERROR(EAGAIN) && err != AVERROR_EOF)
      throw AudioDecodeError(name_ + ": corrupt " + source_.codec + " data at " + position() + " (" +
                             av_error_text(err) + ")");
  }

  void setup(const AVFrame& frame) {
    AVChannelLayout in_layout{};
    if (frame.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || frame.ch_layout.nb_channels <= 0)
      av_channel_layout_default(&in_layout, std::max(1, frame.ch_layout.nb_channels));  // the CLI's guess
    else av_channel_layout_copy(&in_layout, &frame.ch_layout);
    source_.sampling_rate = frame.sample_rate;
    source_.channels = in_layout.nb_channels;
    source_.channel_layout = layout_name(in_layout);
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    SwrContext* raw = nullptr;
    int err = swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, rate_, &in_layout, AVSampleFormat(frame.format),
                                  frame.sample_rate, 0, nullptr);
    av_channel_layout_uninit(&in_layout);
    if (err < 0 || !raw) throw AudioDecodeError(name_ + ": cannot set up conversion (" + av_error_text(err) + ")");
    swr_.reset(raw);
    err = swr_init(raw);
    if (err < 0)
      throw AudioDecodeError(name_ + ": cannot set up conversion from " + source_.channel_layout + " " +
                             std::to_string(frame.sample_rate) + " Hz (" + av_error_text(err) + ")");
    if (notes_) {
      if (source_.channels != 1)
        notes_->push_back(name_ + ": downmixed " + source_.channel_layout + " (" + std::to_string(source_.channels) +
                          " channels) to mono");
      if (frame.sample_rate != rate_)
        notes_->push_back(name_ + ": resampled from " + std::to_string(frame.sample_rate) + " Hz to " +
                          std::to_string(rate_) + " Hz");
    }
  }

  void convert(const uint8_t** in, int count) {
    int capacity = swr_get_out_samples(swr_.get(), count);
    if (capacity <= 0) return;
    for (;;) {
      const size_t at = pending_.size();
      pending_.resize(at + size_t(capacity));
      uint8_t* out_planes[1] = {reinterpret_cast<uint8_t*>(pending_.data() + at)};
      int n = swr_convert(swr_.get(), out_planes, capacity, in, count);
      if (n < 0) throw AudioDecodeError(name_ + ": resampling failed (" + av_error_text(n) + ")");
      pending_.resize(at + size_t(n));
      produced_ += size_t(n);
      if (max_samples_ && produced_ > max_samples_) throw too_long(" (decoding stopped there)");
      // Flushing (in == nullptr) returns the delay line in pieces until it is empty.
      if (in != nullptr || n == 0) break;
    }
  }

  std::string name_;
  int rate_;
  size_t max_samples_;
  std::vector<std::string>* notes_;
  MemoryReader reader_;
  std::unique_ptr<AVIOContext, AvioFree> avio_;
  std::unique_ptr<AVFormatContext, FormatCloser> format_;
  std::unique_ptr<AVCodecContext, CodecCloser> codec_;
  std::unique_ptr<SwrContext, SwrCloser> swr_;
  std::unique_ptr<AVFrame, FrameFree> frame_;
  std::unique_ptr<AVPacket, PacketFree> packet_;
  int stream_ = -1;
  AudioSource source_;
  std::vector<float> pending_;  // converted samples not yet read
  size_t pending_pos_ = 0;
  bool eof_ = false;
  size_t produced_ = 0;
  int64_t decoded_frames_ = 0;
};

size_t limit_samples(const AudioDecodeOptions& options, int rate) {
  if (!(options.max_seconds >= 0)) throw UsageError("audio: max_seconds must not be negative");
  if (options.max_seconds == 0) return 0;
  return size_t(std::ceil(options.max_seconds * rate));
}

// Every sample of an opened decoder, into `audio` (whose notes the decoder already fills).
void read_all(Decoder& d, Audio& audio) {
  d.check_declared_length();
  audio.source = d.source();
  std::vector<float> block(1 << 16);
  while (size_t n = d.read(block.data(), block.size()))
    audio.samples.insert(audio.samples.end(), block.data(), block.data() + n);
}

}  // namespace

struct AudioReader::Impl {
  std::filesystem::path file;
  std::string_view bytes;
  bool from_bytes = false;
  std::string name;
  int rate;
  std::vector<std::string> notes;
  std::unique_ptr<Decoder> decoder;
  void open() {
    std::vector<std::string> fresh;
    auto d = std::make_unique<Decoder>(name, rate, 0, notes.empty() ? &notes : &fresh);
    if (from_bytes) d->open_bytes(bytes);
    else d->open_file(file);
    decoder = std::move(d);
  }
};

AudioReader::AudioReader(const std::filesystem::path& file, int sampling_rate) : impl_(std::make_unique<Impl>()) {
  impl_->file = file;
  impl_->name = file.string();
  impl_->rate = sampling_rate;
  impl_->open();
}

AudioReader::AudioReader(std::string_view bytes, int sampling_rate, std::string_view name)
    : impl_(std::make_unique<Impl>()) {
  impl_->bytes = bytes;
  impl_->from_bytes = true;
  impl_->name = std::string(name);
  impl_->rate = sampling_rate;
  impl_->open();
}

AudioReader::~AudioReader() = default;
AudioReader::AudioReader(AudioReader&&) noexcept = default;
AudioReader& AudioReader::operator=(AudioReader&&) noexcept = default;

size_t AudioReader::read(float* out, size_t max) { return impl_->decoder->read(out, max); }
void AudioReader::rewind() { impl_->open(); }
size_t AudioReader::expected_samples() const { return impl_->decoder->expected_samples(); }
const AudioSource& AudioReader::source() const { return impl_->decoder->source(); }
const std::vector<std::string>& AudioReader::notes() const { return impl_->notes; }
int AudioReader::sampling_rate() const { return impl_->rate; }

size_t MemorySamples::read(float* out, size_t max) {
  const size_t n = std::min(max, count_ - pos_);
  std::copy_n(samples_ + pos_, n, out);
  pos_ += n;
  return n;
}

SlidingSamples::SlidingSamples(SampleSource& source, std::function<float(float)> transform)
    : source_(source), transform_(std::move(transform)) {}

void SlidingSamples::fill_to(size_t end) {
  constexpr size_t kBlock = 1 << 14;
  while (!ended_ && base_ + buf_.size() < end) {
    const size_t at = buf_.size();
    buf_.resize(at + kBlock);
    const size_t n = source_.read(buf_.data() + at, kBlock);
    buf_.resize(at + n);
    if (transform_)
      for (size_t i = at; i < at + n; ++i) buf_[i] = transform_(buf_[i]);
    if (n == 0) ended_ = true;
  }
}

void SlidingSamples::drop_before(size_t index) {
  if (index <= base_) return;
  const size_t n = std::min(index - base_, buf_.size());
  buf_.erase(buf_.begin(), buf_.begin() + std::ptrdiff_t(n));
  base_ += n;
}

AudioSource decode_audio_stream(const std::filesystem::path& file, int sampling_rate, const AudioSink& sink,
                                std::vector<std::string>* notes) {
  Decoder d(file.string(), sampling_rate, 0, notes);
  d.open_file(file);
  std::vector<float> block(1 << 14);
  while (size_t n = d.read(block.data(), block.size())) sink(block.data(), n);
  return d.source();
}

Audio decode_audio_file(const std::filesystem::path& file, int sampling_rate, const AudioDecodeOptions& options) {
  Audio audio;
  audio.sampling_rate = sampling_rate;
  Decoder d(file.string(), sampling_rate, limit_samples(options, sampling_rate), &audio.notes);
  d.open_file(file);
  read_all(d, audio);
  return audio;
}

Audio decode_audio(std::string_view bytes, int sampling_rate, std::string_view name,
                   const AudioDecodeOptions& options) {
  Audio audio;
  audio.sampling_rate = sampling_rate;
  Decoder d(std::string(name), sampling_rate, limit_samples(options, sampling_rate), &audio.notes);
  d.open_bytes(bytes);
  read_all(d, audio);
  return audio;
}

Audio convert_samples(const float* interleaved, size_t frames, int channels, int from_rate, int sampling_rate) {
  if (channels < 1 || channels > 8) throw UsageError("audio: channels must be 1..8, got " + std::to_string(channels));
  if (from_rate <= 0 || sampling_rate <= 0)
    throw UsageError("audio: sampling rates must be positive, got " + std::to_string(from_rate) + " and " +
                     std::to_string(sampling_rate));
  Audio audio;
  audio.sampling_rate = sampling_rate;
  AVChannelLayout in_layout{};
  av_channel_layout_default(&in_layout, channels);
  audio.source = {"raw", "f32", from_rate, channels, layout_name(in_layout)};
  if (channels == 1 && from_rate == sampling_rate) {
    audio.samples.assign(interleaved, interleaved + frames);
    av_channel_layout_uninit(&in_layout);
    return audio;
  }
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  SwrContext* raw = nullptr;
  int err = swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, sampling_rate, &in_layout, AV_SAMPLE_FMT_FLT, from_rate,
                                0, nullptr);
  av_channel_layout_uninit(&in_layout);
  std::unique_ptr<SwrContext, SwrCloser> swr(raw);
  if (err < 0 || !raw || (err = swr_init(raw)) < 0)
    throw AudioDecodeError("audio: cannot set up conversion (" + av_error_text(err) + ")");
  if (channels != 1) audio.notes.push_back("audio: downmixed " + audio.source.channel_layout + " to mono");
  if (from_rate != sampling_rate)
    audio.notes.push_back("audio: resampled from " + std::to_string(from_rate) + " Hz to " +
                          std::to_string(sampling_rate) + " Hz");
  int cap = swr_get_out_samples(raw, int(frames)) + 64;
  audio.samples.resize(size_t(std::max(cap, 0)));
  size_t have = 0;
  const uint8_t* in[1] = {reinterpret_cast<const uint8_t*>(interleaved)};
  for (bool flushing = false;;) {
    if (audio.samples.size() - have < 4096) audio.samples.resize(have + 4096);
    uint8_t* out[1] = {reinterpret_cast<uint8_t*>(audio.samples.data() + have)};
    int n =
        swr_convert(raw, out, int(audio.samples.size() - have), flushing ? nullptr : in, flushing ? 0 : int(frames));
    if (n < 0) throw AudioDecodeError("audio: resampling failed (" + av_error_text(n) + ")");
    have += size_t(n);
    if (flushing && n == 0) break;
    flushing = true;
  }
  audio.samples.resize(have);
  return audio;
}

}  // namespace modelexport::processors
