# The libFuzzer targets (fuzz/): built with libFuzzer by fuzz/CMakeLists.txt (Clang, scripts/fuzz.sh),
# and with fuzz/replay_main.cc in every ordinary build, where the fuzz_regressions tests replay the
# inputs checked in under fuzz/regressions/<target>/.
set(ME_FUZZ_TARGETS
  fuzz_onnx_scan fuzz_metadata_value fuzz_metadata_reader fuzz_tokenizer_json fuzz_tokenizer_encode
  fuzz_legacy_tokenizer fuzz_configs fuzz_quantize_graph fuzz_chat_template fuzz_image
  fuzz_generation_config fuzz_preprocessor_config fuzz_audio)

# me_fuzz_target(EXECUTABLE TARGET SOURCES...): the executable for fuzz target TARGET.
function(me_fuzz_target executable target)
  add_executable(${executable} ${ARGN})
  target_include_directories(${executable} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/fuzz)
  target_link_libraries(${executable} PRIVATE modelexport)
  if(target STREQUAL "fuzz_tokenizer_encode")
    target_compile_definitions(${executable} PRIVATE MODELEXPORT_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/tests/fixtures")
  elseif(target STREQUAL "fuzz_quantize_graph")
    target_compile_definitions(${executable} PRIVATE ONNX_ML=1 ONNX_NAMESPACE=onnx)
    target_link_libraries(${executable} PRIVATE me_quantize me_format_proto)
  elseif(target STREQUAL "fuzz_generation_config")
    # GenerationConfig is plain JSON work, but it lives in the runtime layer, which the fuzz build
    # (no ONNX Runtime) does not build: its one source file is compiled in.
    target_sources(${executable} PRIVATE ${PROJECT_SOURCE_DIR}/src/runtime/generation/generation_config.cc)
  endif()
endfunction()
