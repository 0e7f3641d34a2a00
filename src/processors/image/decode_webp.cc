// WebP through libwebp: the first frame with libwebp's default (fancy) upsampling, as Pillow 9.4's
// WebPAnimDecoder gives it; alpha dropped (convert("RGB")). The EXIF chunk comes from the demuxer.
#include <webp/decode.h>
#include <webp/demux.h>

#include <cstring>
#include <memory>

#include "processors/image/decoders.h"

namespace modelexport::processors::image_detail {

Decoded decode_webp(std::string_view bytes, std::string_view source, const ImageDecodeOptions& options) {
  const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
  WebPBitstreamFeatures features;
  const VP8StatusCode status = WebPGetFeatures(data, bytes.size(), &features);
  if (status == VP8_STATUS_NOT_ENOUGH_DATA) fail(source, "WEBP", "image file is truncated");
  if (status != VP8_STATUS_OK) fail(source, "WEBP", "corrupt WebP header");
  check_pixel_count(static_cast<uint64_t>(features.width), static_cast<uint64_t>(features.height), options, source,
                    "WEBP");
  Decoded out;
  WebPData webp{data, bytes.size()};
  std::unique_ptr<WebPDemuxer, void (*)(WebPDemuxer*)> demux(WebPDemux(&webp), WebPDemuxDelete);
  if (!demux) fail(source, "WEBP", "image file is truncated or corrupt (the container cannot be read)");
  WebPIterator frame;
  if (!WebPDemuxGetFrame(demux.get(), 1, &frame)) fail(source, "WEBP", "no frame in the file");
  struct Release {
    WebPIterator* it;
    ~Release() { WebPDemuxReleaseIterator(it); }
  } release{&frame};
  WebPChunkIterator chunk;
  if (WebPDemuxGetChunk(demux.get(), "EXIF", 1, &chunk)) {
    out.exif.assign(reinterpret_cast<const char*>(chunk.chunk.bytes), chunk.chunk.size);
    WebPDemuxReleaseChunkIterator(&chunk);
  }
  if (frame.width != features.width || frame.height != features.height || frame.x_offset || frame.y_offset)
    fail(source, "WEBP", "animated WebP whose first frame does not cover the canvas is not supported");
  out.rgb.width = frame.width;
  out.rgb.height = frame.height;
  out.rgb.channels = 3;
  out.rgb.pixels.resize(size_t(frame.width) * frame.height * 3);
  const int stride = frame.width * 3;
  if (!frame.has_alpha) {
    if (!WebPDecodeRGBInto(frame.fragment.bytes, frame.fragment.size, out.rgb.pixels.data(), out.rgb.pixels.size(),
                           stride))
      fail(source, "WEBP", "image file is truncated or corrupt (the bitstream cannot be decoded)");
    return out;
  }
  std::vector<uint8_t> rgba(size_t(frame.width) * frame.height * 4);
  if (!WebPDecodeRGBAInto(frame.fragment.bytes, frame.fragment.size, rgba.data(), rgba.size(), frame.width * 4))
    fail(source, "WEBP", "image file is truncated or corrupt (the bitstream cannot be decoded)");
  for (size_t i = 0, n = size_t(frame.width) * frame.height; i < n; ++i)
    std::memcpy(&out.rgb.pixels[3 * i], &rgba[4 * i], 3);
  return out;
}

}  // namespace modelexport::processors::image_detail
