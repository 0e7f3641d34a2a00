// JPEG through libjpeg-turbo with the settings Pillow 9.4's JpegDecode.c leaves at libjpeg's
// defaults (JDCT_ISLOW, do_fancy_upsampling = TRUE). Grayscale is replicated (L → RGB), CMYK/YCCK
// is read as Pillow's "CMYK;I" raw mode (Adobe polarity: inverted) and converted with Convert.c's
// cmyk2rgb. Data ending before the image does (libjpeg's JWRN_JPEG_EOF) is refused, as Pillow
// refuses truncated images unless ImageFile.LOAD_TRUNCATED_IMAGES is set.
// Several threads (ImageDecodeOptions::threads) decode a baseline JPEG in horizontal bands: each band
// has its own decompressor, which skips the rows above it with jpeg_skip_scanlines (libjpeg-turbo
// 2.1.5, jdapistd.c: whole iMCU rows are only entropy-decoded, no IDCT or upsampling); the rows below
// band 0 are claimed chunk by chunk (8 iMCU rows), so a thread that finishes early, or that the
// scheduler starts late, leaves no chunk waiting for another. Before each chunk it did not come to
// by decoding, a decompressor decodes two iMCU rows and drops them, so the fancy upsampler's context rows at the band's
// first row are the decoded ones and the band's pixels are the one-thread decode's (image_test checks them against
// Pillow; 2.1.5's skip alone already passes it, the margin costs ~1 % of a 12 MP decode and keeps the result from
// depending on how a libjpeg version rebuilds context after a skip). A progressive or multi-scan file is
// entropy-decoded whole by jpeg_start_decompress, so it stays on one thread.
// clang-format off
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include <atomic>
#include <cmath>
#include <csetjmp>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "processors/image/decoders.h"

// jpeglib.h may or may not pull in jerror.h; the message code we look for is JWRN_JPEG_EOF.
#include <jerror.h>

namespace modelexport::processors::image_detail {
namespace {

struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  bool truncated = false;
  char message[JMSG_LENGTH_MAX] = {};
};

void on_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  auto* err = reinterpret_cast<ErrorManager*>(cinfo->err);
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = true;
}

// A decompressor reporting through ErrorManager, destroyed with the object however its owner's frame
// is left (return, throw, or after a longjmp to a setjmp there: declare it before that setjmp).
struct Decompressor {
  jpeg_decompress_struct cinfo{};
  ErrorManager err;
  explicit Decompressor(std::string_view bytes) {
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = on_error;
    err.base.emit_message = on_message;
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()),
                 static_cast<unsigned long>(bytes.size()));
  }
  ~Decompressor() { jpeg_destroy_decompress(&cinfo); }
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
};

// Pillow's MULDIV255 (libImaging/ImagingUtils.h): a * b / 255 rounded, in integers.
inline int muldiv255(int a, int b) {
  int t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}
inline uint8_t clip8(int v) { return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v); }

// Pillow's "CMYK;I" → RGB and L → RGB for one decoded row (`raw`, comps 1 or 4) into `dst`.
void row_to_rgb(const uint8_t* raw, int comps, int width, uint8_t* dst) {
  if (comps == 1) {
    for (int x = 0; x < width; ++x) dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = raw[x];
  } else if (comps == 4) {
    // "CMYK;I": Pillow stores 255 - raw; cmyk2rgb then gives nk - c * nk / 255 with nk = 255 - k.
    for (int x = 0; x < width; ++x) {
      const uint8_t* p = &raw[4 * x];
      const int nk = p[3];  // 255 - (255 - raw k)
      for (int c = 0; c < 3; ++c) dst[3 * x + c] = clip8(nk - muldiv255(255 - p[c], nk));
    }
  }
}

// Where decoded RGB rows go: the resizer (which keeps only the horizontally resampled rows it needs),
// or the full image. Both take rows of different bands from different threads (disjoint rows).
struct RowSink {
  RowResizer* resizer = nullptr;
  Image* image = nullptr;
};

// Rows decoded for the resizer are handed over in blocks (RowResizer::push_rows reuses each output
// pixel's weights over a block; row by row, the decoder's own work between rows evicts them).
constexpr int kBlockRows = 16;

// The decompressor settings Pillow's JpegDecode.c leaves at libjpeg's defaults, and the RGB/L/CMYK
// output space our conversion expects. Called after jpeg_read_header.
void set_output(jpeg_decompress_struct& cinfo) {
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  const bool gray = cinfo.jpeg_color_space == JCS_GRAYSCALE;
  cinfo.out_color_space = cmyk ? JCS_CMYK : gray ? JCS_GRAYSCALE : JCS_RGB;
  cinfo.dct_method = JDCT_ISLOW;
  cinfo.do_fancy_upsampling = TRUE;
}

// Scanlines from the decompressor's current one up to `end` into the sink; those before `keep_from`
// are decoded and dropped (they only rebuild the upsampler's context rows).
void read_rows(jpeg_decompress_struct& cinfo, int end, int keep_from, const RowSink& sink, std::vector<uint8_t>& raw,
               std::vector<uint8_t>& block) {
  const int width = static_cast<int>(cinfo.output_width), comps = cinfo.output_components;
  const size_t row_bytes = size_t(width) * 3;
  raw.resize(size_t(width) * comps);
  block.resize(row_bytes * (sink.resizer ? kBlockRows : 1));
  int block_y = 0, in_block = 0;
  auto flush = [&] {
    if (in_block) sink.resizer->push_rows(block_y, in_block, block.data(), row_bytes);
    in_block = 0;
  };
  while (static_cast<int>(cinfo.output_scanline) < end) {
    const int y = static_cast<int>(cinfo.output_scanline);
    uint8_t* dst = block.data();  // a dropped row (the block is empty until the first kept one)
    if (y >= keep_from && !sink.resizer) dst = sink.image->pixels.data() + size_t(y) * row_bytes;
    else if (y >= keep_from) {
      if (in_block == 0) block_y = y;
      dst = block.data() + size_t(in_block) * row_bytes;
    }
    JSAMPROW rows[1] = {comps == 3 ? dst : raw.data()};
    jpeg_read_scanlines(&cinfo, rows, 1);
    if (y < keep_from) continue;
    row_to_rgb(raw.data(), comps, width, dst);
    if (sink.resizer && ++in_block == kBlockRows) flush();
  }
  if (sink.resizer) flush();
}

// The rows below band 0 as chunks that any band's thread may claim, in order: band b (b >= 1) cut
// into chunks of 8 iMCU rows; chunk k is [begin[k], begin[k + 1]).
struct Chunks {
  std::vector<int> begin;                      // chunk starts, then the image height
  std::vector<size_t> first_of_band;           // per band (0 unused): its first chunk
  std::unique_ptr<std::atomic<bool>[]> taken;  // claimed by some thread
  Chunks(const std::vector<int>& starts, int height, int imcu) : first_of_band(starts.size()) {
    for (size_t b = 1; b < starts.size(); ++b) {
      first_of_band[b] = begin.size();
      const int end = b + 1 < starts.size() ? starts[b + 1] : height;
      for (int row = starts[b]; row < end; row += 8 * imcu) begin.push_back(row);
    }
    begin.push_back(height);
    taken.reset(new std::atomic<bool>[begin.size() - 1]());
  }
  size_t count() const { return begin.size() - 1; }
};

// Decodes, from chunk k on, every chunk no other thread has claimed yet, claiming each first: the
// decompressor skips to it (jpeg_skip_scanlines: entropy-decoded only, no IDCT), decodes `margin`
// rows before it and drops them (the fancy upsampler's context rows), then the chunk. A thread the
// scheduler holds back thus leaves its chunks to the others instead of making them wait. Ends the
// decompression when it decoded the last row (jpeg_finish_decompress: the data must reach its end).
void decode_chunks(jpeg_decompress_struct& cinfo, Chunks& chunks, size_t k, int margin, const RowSink& sink,
                   std::vector<uint8_t>& raw, std::vector<uint8_t>& block) {
  for (; k < chunks.count(); ++k) {
    if (chunks.taken[k].exchange(true)) continue;
    const int begin = chunks.begin[k], at = static_cast<int>(cinfo.output_scanline);
    if (begin - margin > at) jpeg_skip_scanlines(&cinfo, static_cast<JDIMENSION>(begin - margin - at));
    read_rows(cinfo, chunks.begin[k + 1], begin, sink, raw, block);
  }
  if (cinfo.output_scanline == cinfo.output_height) jpeg_finish_decompress(&cinfo);
}

// Band b's thread: its own decompressor (the header read again) decodes the chunks from the band's
// first one on (decode_chunks). "" on success, else libjpeg's message; *truncated when the data ended
// early.
std::string decode_band(std::string_view bytes, Chunks& chunks, size_t first_chunk, int margin, const RowSink& sink,
                        bool* truncated) {
  Decompressor d(bytes);
  std::vector<uint8_t> raw, block;  // before setjmp: a longjmp must not skip destructors
  if (setjmp(d.err.jump)) return std::string("corrupt JPEG data: ") + d.err.message;
  jpeg_decompress_struct& cinfo = d.cinfo;
  jpeg_read_header(&cinfo, TRUE);
  set_output(cinfo);
  jpeg_start_decompress(&cinfo);
  decode_chunks(cinfo, chunks, first_chunk, margin, sink, raw, block);
  *truncated = d.err.truncated;
  return "";
}

}  // namespace

std::vector<int> jpeg_band_starts(int height, int imcu_rows, int threads, double entropy_share) {
  std::vector<int> starts{0};
  if (threads < 2 || imcu_rows < 1 || height < 8 * imcu_rows * threads) return starts;
  // Band k costs entropy_share * b_k (skipping to it) + (b_{k+1} - b_k) (decoding it), as fractions of
  // the whole decode; equal costs T give b_k = T (1 - (1 - h)^k) / h with b_threads = 1.
  const double h = entropy_share > 0.01 ? entropy_share : 0.01;
  const double t = h / (1 - std::pow(1 - h, threads));
  for (int k = 1; k < threads; ++k) {
    const double b = t * (1 - std::pow(1 - h, k)) / h;
    const int row = static_cast<int>(b * height) / imcu_rows * imcu_rows;
    if (row > starts.back() + 2 * imcu_rows && row < height - 2 * imcu_rows) starts.push_back(row);
  }
  return starts;
}

Decoded decode_jpeg(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options,
                    const RowTarget* target) {
  Decoded out;
  // Declared before setjmp: a longjmp back to it must not skip destructors. The band threads use
  // the sink, the resizer, the image and the band tables: `join` (declared after them, so destroyed
  // first) waits for the threads however we leave.
  std::vector<uint8_t> raw, block;
  std::unique_ptr<RowResizer> resizer;
  RowSink sink;
  std::vector<int> starts;
  std::vector<std::string> errors;
  std::vector<char> truncated;
  std::unique_ptr<Chunks> chunks;  // the rows below band 0, claimed chunk by chunk
  std::vector<std::thread> workers;
  struct Join {
    std::vector<std::thread>& t;
    ~Join() {
      for (auto& w : t)
        if (w.joinable()) w.join();
    }
  } join{workers};
  Decompressor d(bytes);  // the header's, and band 0's
  jpeg_decompress_struct& cinfo = d.cinfo;
  ErrorManager& err = d.err;
  if (setjmp(err.jump)) fail(source, "JPEG", std::string("corrupt JPEG data: ") + err.message);
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);
  if (err.truncated) fail(source, "JPEG", "image file is truncated (the data ends inside the JPEG header)");
  check_pixel_count(cinfo.image_width, cinfo.image_height, options, source, "JPEG");
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
        std::string_view(reinterpret_cast<const char*>(m->data), 6) == std::string_view("Exif\0\0", 6)) {
      out.exif.assign(reinterpret_cast<const char*>(m->data), m->data_length);
      break;
    }
  set_output(cinfo);
  // No scaling: output size = image size.
  const int width = static_cast<int>(cinfo.image_width), height = static_cast<int>(cinfo.image_height);
  // Streaming: the RGB rows go to the resizer in blocks, and the block is reused.
  if (target) resizer = (*target)(width, height, out.exif);
  sink = RowSink{resizer.get(), &out.rgb};
  if (!resizer) {
    out.rgb.width = width;
    out.rgb.height = height;
    out.rgb.channels = 3;
    out.rgb.pixels.resize(size_t(width) * height * 3);
  }
  // Bands on several threads: only a single-scan (baseline) JPEG, where skipping rows costs their
  // entropy decoding alone; a progressive one is entropy-decoded whole by every decompressor.
  const int imcu = cinfo.max_v_samp_factor * DCTSIZE;
  starts = cinfo.progressive_mode || jpeg_has_multiple_scans(&cinfo)
               ? std::vector<int>{0}
               : jpeg_band_starts(height, imcu, options.threads, kJpegEntropyShare);
  if (starts.size() > 1) {
    const size_t bands = starts.size();
    errors.resize(bands);
    truncated.assign(bands, 0);
    chunks = std::make_unique<Chunks>(starts, height, imcu);
    for (size_t b = 1; b < bands; ++b) {
      const size_t first = chunks->first_of_band[b];
      Chunks* shared = chunks.get();
      workers.emplace_back([&bytes, &sink, &errors, &truncated, b, first, imcu, shared] {
        try {
          bool t = false;
          errors[b] = decode_band(bytes, *shared, first, 2 * imcu, sink, &t);
          truncated[b] = t;
        } catch (const std::exception& e) { errors[b] = e.what(); }
      });
    }
    // Band 0 on this thread with the decompressor that read the header, then on into every chunk
    // below it that no band's thread has claimed yet.
    jpeg_start_decompress(&cinfo);
    read_rows(cinfo, starts[1], 0, sink, raw, block);
    decode_chunks(cinfo, *chunks, 0, 2 * imcu, sink, raw, block);
    if (cinfo.output_scanline < cinfo.output_height) jpeg_abort_decompress(&cinfo);
    for (auto& w : workers) w.join();
    truncated[0] = err.truncated;
    for (size_t k = 0; k < bands; ++k)
      if (!errors[k].empty()) fail(source, "JPEG", errors[k]);
    for (size_t k = 0; k < bands; ++k)
      if (truncated[k]) fail(source, "JPEG", "image file is truncated (the data ends before the image does)");
  } else {
    jpeg_start_decompress(&cinfo);
    read_rows(cinfo, height, 0, sink, raw, block);
    jpeg_finish_decompress(&cinfo);
    if (err.truncated) fail(source, "JPEG", "image file is truncated (the data ends before the image does)");
  }
  if (resizer) {
    out.rgb = resizer->finish();
    out.resized = true;
  }
  return out;
}

}  // namespace modelexport::processors::image_detail
