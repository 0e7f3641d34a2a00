// Whisper speech recognition on one audio file, streamed (the pipeline reads the file through
// processors::AudioReader): the tool the streaming-memory test and bench/whisper_memory.sh run under
// /usr/bin/time. Prints the pipeline's JSON. `--max-new-tokens N` bounds each window's generation (the
// random-weight test models would otherwise generate up to max_length tokens per 30 s window), so a
// long file's cost is decoding and features, which is what the memory bound is about.
//   whisper_stream_run MODEL_DIR AUDIO_FILE [--max-new-tokens N] [--chunk-length-s S] [--max-audio-seconds S]
//   [--return-timestamps]
#include <cstdlib>
#include <iostream>
#include <string>

#include "modelexport/common/error.h"
#include "modelexport/runtime/pipeline.h"

int main(int argc, char** argv) {
  using namespace modelexport;
  if (argc < 3) {
    std::cerr << "usage: whisper_stream_run MODEL_DIR AUDIO_FILE [--max-new-tokens N] [--chunk-length-s S] "
                 "[--max-audio-seconds S] [--return-timestamps]\n";
    return 2;
  }
  try {
    runtime::PipelineOptions options;
    for (int i = 3; i < argc; i += 2) {
      const std::string flag = argv[i];
      if (flag == "--return-timestamps") {
        options.speech.return_timestamps = true;
        --i;
        continue;
      }
      if (i + 1 >= argc) throw UsageError(flag + " needs a value");
      if (flag == "--max-new-tokens") options.generation.max_new_tokens = std::atoll(argv[i + 1]);
      else if (flag == "--chunk-length-s") options.speech.chunk_length_s = std::atof(argv[i + 1]);
      else if (flag == "--max-audio-seconds") options.max_audio_seconds = std::atof(argv[i + 1]);
      else throw UsageError("unknown option " + flag);
    }
    auto pipe = runtime::pipeline(argv[1], "automatic-speech-recognition", {});
    runtime::PipelineInput in;
    in.audio = argv[2];
    std::cout << pipe->run({in}, options).at(0) << "\n";
    return 0;
  } catch (const Error& e) {
    std::cerr << "whisper_stream_run: " << e.what() << "\n";
    return 2;
  }
}
